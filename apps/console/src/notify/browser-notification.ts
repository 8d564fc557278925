/**
 * Browser notifications (when the operator allowed them) for when the page is not in front: in front, the
 * in-page notice is enough and a system one would only repeat it.
 */
export function browserNotificationsSupported(): boolean {
  return typeof window !== 'undefined' && 'Notification' in window;
}

export function showBrowserNotification(title: string, body: string, onClick: () => void): void {
  if (!browserNotificationsSupported() || Notification.permission !== 'granted' || document.visibilityState === 'visible') return;
  const notification = new Notification(title, { body, lang: document.documentElement.lang });
  notification.onclick = () => {
    window.focus();
    onClick();
    notification.close();
  };
}

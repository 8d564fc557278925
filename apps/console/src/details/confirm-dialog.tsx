import { useEffect, useRef } from 'react';

/** A modal question; the native <dialog> gives focus trapping and Escape for free. */
export function ConfirmDialog(props: { message: string; confirmLabel: string; cancelLabel: string; onConfirm(): void; onCancel(): void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const element = dialog.current;
    element?.showModal();
    return () => element?.close();
  }, []);
  return (
    <dialog ref={dialog} className="confirm-dialog" onCancel={props.onCancel}>
      <p>{props.message}</p>
      <div className="confirm-dialog__buttons">
        <button type="button" className="button" onClick={props.onCancel} autoFocus>
          {props.cancelLabel}
        </button>
        <button type="button" className="button button--danger" onClick={props.onConfirm}>
          {props.confirmLabel}
        </button>
      </div>
    </dialog>
  );
}

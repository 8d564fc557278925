import { useEffect } from 'react';
import { useMutation, useQuery } from 'urql';
import {
  BridgeConnectionsQuery,
  ChannelHealthQuery,
  DisconnectBridgeMutation,
  DisconnectMetaPageMutation,
  DisconnectTelegramBotMutation,
  DisconnectTelegramUserAccountMutation,
  DisconnectViberBotMutation,
  DisconnectWhatsAppNumberMutation,
  MetaPageConnectionsQuery,
  TelegramConnectionsQuery,
  TelegramUserConnectionsQuery,
  ViberConnectionsQuery,
  WhatsAppConnectionsQuery,
  type ConnectionHealth,
} from '../graphql/operations';
import { useI18n } from '../i18n/i18n-context';
import { ApiErrorMessage } from './admin-form';
import { apiErrors } from './api-error';
import { BridgeDeadLetters } from './bridge-dead-letters';
import { BridgeForm, MetaPageForm, TelegramBotForm, TelegramUserLoginForm, ViberBotForm, WhatsAppForm } from './connect-forms';
import { ConnectionSection } from './connection-section';

/** Health changes without an event the page hears (a backlog drains, a token is revoked): asked for again this often. */
const HEALTH_REFRESH_MS = 15_000;

/**
 * Every channel connection with its logo, name, state and health (the federated channelHealth report),
 * a connect form per channel type and disconnect with a confirmation.
 */
export function ConnectionsPage() {
  const { t } = useI18n();
  const [{ data, error }, refreshHealth] = useQuery({ query: ChannelHealthQuery });
  useEffect(() => {
    const timer = setInterval(() => refreshHealth({ requestPolicy: 'network-only' }), HEALTH_REFRESH_MS);
    return () => clearInterval(timer);
  }, [refreshHealth]);
  const health = data?.channelHealth;
  return (
    <div className="admin-page">
      {error && (
        <div>
          <p className="error">{t('health.unavailable')}</p>
          <ApiErrorMessage errors={apiErrors(error)} />
        </div>
      )}
      <TelegramSection health={health?.telegram} />
      <ViberSection health={health?.viber} />
      <WhatsAppSection health={health?.whatsapp} />
      <MetaSection health={health?.meta} />
      <TelegramUserSection health={health?.telegramUser} />
      <BridgeSection health={health?.bridge} />
    </div>
  );
}

interface SectionProps {
  health: readonly ConnectionHealth[] | undefined;
}

function TelegramSection({ health }: SectionProps) {
  const { t } = useI18n();
  const [{ data, error, fetching }] = useQuery({ query: TelegramConnectionsQuery });
  const [, disconnect] = useMutation(DisconnectTelegramBotMutation);
  const rows = (data?.telegramConnections ?? []).map((connection) => ({
    id: connection.id,
    name: connection.displayName,
    facts: [`@${connection.botUsername}`, t(`conn.telegram.mode.${connection.mode}`)],
    state: connection.state,
    lastError: connection.lastError ?? null,
  }));
  return (
    <ConnectionSection
      channel="TELEGRAM"
      title={t('channel.TELEGRAM')}
      rows={rows}
      loading={fetching && !data}
      error={error}
      health={health}
      onDisconnect={(id) => disconnect({ id })}
      connectForm={(done, cancel) => <TelegramBotForm onConnected={done} onCancel={cancel} />}
    />
  );
}

function ViberSection({ health }: SectionProps) {
  const { t } = useI18n();
  const [{ data, error, fetching }] = useQuery({ query: ViberConnectionsQuery });
  const [, disconnect] = useMutation(DisconnectViberBotMutation);
  const rows = (data?.viberConnections ?? []).map((connection) => ({
    id: connection.id,
    name: connection.displayName,
    facts: [connection.accountName, connection.uri ? `viber://pa?chatURI=${connection.uri}` : null].filter((fact): fact is string => Boolean(fact)),
    state: connection.state,
    lastError: connection.lastError ?? null,
  }));
  return (
    <ConnectionSection
      channel="VIBER"
      title={t('channel.VIBER')}
      rows={rows}
      loading={fetching && !data}
      error={error}
      health={health}
      onDisconnect={(id) => disconnect({ id })}
      connectForm={(done, cancel) => <ViberBotForm onConnected={done} onCancel={cancel} />}
    />
  );
}

function WhatsAppSection({ health }: SectionProps) {
  const { t } = useI18n();
  const [{ data, error, fetching }] = useQuery({ query: WhatsAppConnectionsQuery });
  const [, disconnect] = useMutation(DisconnectWhatsAppNumberMutation);
  const rows = (data?.whatsAppConnections ?? []).map((connection) => ({
    id: connection.id,
    name: connection.displayName,
    facts: [connection.displayPhoneNumber, connection.verifiedName],
    state: connection.state,
    lastError: connection.lastError ?? null,
  }));
  return (
    <ConnectionSection
      channel="WHATSAPP"
      title={t('channel.WHATSAPP')}
      rows={rows}
      loading={fetching && !data}
      error={error}
      health={health}
      onDisconnect={(id) => disconnect({ id })}
      connectForm={(done, cancel) => <WhatsAppForm onConnected={done} onCancel={cancel} />}
    />
  );
}

function MetaSection({ health }: SectionProps) {
  const { t } = useI18n();
  const [{ data, error, fetching }] = useQuery({ query: MetaPageConnectionsQuery });
  const [, disconnect] = useMutation(DisconnectMetaPageMutation);
  const rows = (data?.metaPageConnections ?? []).map((connection) => ({
    id: connection.id,
    name: connection.displayName,
    facts: [connection.pageName, connection.instagramUsername ? `Instagram @${connection.instagramUsername}` : null].filter((fact): fact is string => Boolean(fact)),
    state: connection.state,
    lastError: connection.lastError ?? null,
    warning: connection.subscribed ? null : t('conn.meta.unsubscribed'),
  }));
  return (
    <ConnectionSection
      channel="MESSENGER"
      title={t('conn.meta.title')}
      rows={rows}
      loading={fetching && !data}
      error={error}
      health={health}
      onDisconnect={(id) => disconnect({ id })}
      connectForm={(done, cancel) => <MetaPageForm onConnected={done} onCancel={cancel} />}
    />
  );
}

function TelegramUserSection({ health }: SectionProps) {
  const { t } = useI18n();
  const [{ data, error, fetching }] = useQuery({ query: TelegramUserConnectionsQuery });
  const [, disconnect] = useMutation(DisconnectTelegramUserAccountMutation);
  const rows = (data?.telegramUserConnections ?? []).map((connection) => ({
    id: connection.id,
    name: connection.displayName,
    facts: [connection.phone, connection.username ? `@${connection.username}` : null].filter((fact): fact is string => Boolean(fact)),
    state: connection.state,
    lastError: connection.lastError ?? null,
  }));
  return (
    <ConnectionSection
      channel="TELEGRAM_USER"
      title={t('channel.TELEGRAM_USER')}
      rows={rows}
      loading={fetching && !data}
      error={error}
      health={health}
      onDisconnect={(id) => disconnect({ id })}
      connectForm={(done, cancel) => <TelegramUserLoginForm onConnected={done} onCancel={cancel} />}
      hint={t('conn.telegramUser.hint')}
    />
  );
}

function BridgeSection({ health }: SectionProps) {
  const { t } = useI18n();
  const [{ data, error, fetching }] = useQuery({ query: BridgeConnectionsQuery });
  const [, disconnect] = useMutation(DisconnectBridgeMutation);
  const rows = (data?.bridgeConnections ?? []).map((connection) => ({
    id: connection.id,
    name: connection.name,
    facts: [connection.outboundUrl, t('conn.bridge.inbound', { path: connection.inboundPath })],
    // A bridge is either taking messages or disconnected; it has no error state of its own.
    state: connection.state,
    lastError: null,
  }));
  return (
    <>
      <ConnectionSection
        channel="BRIDGE"
        title={t('channel.BRIDGE')}
        rows={rows}
        loading={fetching && !data}
        error={error}
        health={health}
        onDisconnect={(id) => disconnect({ id })}
        connectForm={(done, cancel) => <BridgeForm onConnected={done} onCancel={cancel} />}
      />
      {/* Only the bridge keeps undelivered replies for an admin to replay; shown once there is a bridge. */}
      {rows.length > 0 && <BridgeDeadLetters />}
    </>
  );
}

import { runServiceMain } from '@switchboard/service-kit';
import { CHANNEL_META_SERVICE, channelMetaConfigSchema } from './channel-meta.config';
import { startChannelMetaService } from './channel-meta.bootstrap';

/** Distributed entry point: one process running the Messenger, Instagram and comments connector. */
runServiceMain({ name: CHANNEL_META_SERVICE, configSchema: channelMetaConfigSchema, start: startChannelMetaService });

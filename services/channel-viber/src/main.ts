import { runServiceMain } from '@switchboard/service-kit';
import { CHANNEL_VIBER_SERVICE, channelViberConfigSchema } from './channel-viber.config';
import { startChannelViberService } from './channel-viber.bootstrap';

/** Distributed entry point: one process running the Viber connector. */
runServiceMain({ name: CHANNEL_VIBER_SERVICE, configSchema: channelViberConfigSchema, start: (startChannelViberService) });

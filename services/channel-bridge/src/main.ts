import { runServiceMain } from '@switchboard/service-kit';
import { CHANNEL_BRIDGE_SERVICE, channelBridgeConfigSchema } from './channel-bridge.config';
import { startChannelBridgeService } from './channel-bridge.bootstrap';

/** Distributed entry point: one process running the bridge channel. */
runServiceMain({ name: CHANNEL_BRIDGE_SERVICE, configSchema: channelBridgeConfigSchema, start: (startChannelBridgeService) });

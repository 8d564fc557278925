import { runServiceMain } from '@switchboard/service-kit';
import { CHANNEL_WHATSAPP_SERVICE, channelWhatsAppConfigSchema } from './channel-whatsapp.config';
import { startChannelWhatsAppService } from './channel-whatsapp.bootstrap';

/** Distributed entry point: one process running the WhatsApp connector. */
runServiceMain({ name: CHANNEL_WHATSAPP_SERVICE, configSchema: channelWhatsAppConfigSchema, start: (startChannelWhatsAppService) });

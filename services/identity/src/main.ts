import { runServiceMain } from '@switchboard/service-kit';
import { identityConfigSchema } from './identity.config';
import { startIdentityService } from './identity.bootstrap';

/** Distributed entry point: the identity service as its own process. */
runServiceMain({ name: 'identity', configSchema: identityConfigSchema, start: (startIdentityService) });

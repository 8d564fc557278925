/**
 * The files service's highest FILES_MAX_BYTES: the bridge hands out whatever the files service will keep (it
 * cuts a download off at its own limit), since partners' files have no platform limit of their own.
 */
export const BRIDGE_MEDIA_MAX_BYTES = 2000 * 1024 * 1024;
/** Longest attachment URL a partner may send (the media route's parameter carries it whole). */
export const BRIDGE_MEDIA_URL_MAX_LENGTH = 4096;

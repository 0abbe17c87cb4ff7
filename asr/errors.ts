/**
 * Speech recognition's errors: audio it cannot read, and a recognizer that is busy, closed,
 * unreachable or failing. Telephony and the CLI tell them apart by code (a busy pool is a
 * 1013 "try again" on /asr/ws, anything else a 1011).
 */
import { defineErrors } from '../core/index.js';

const CONVERT = 'convert it, e.g. `sox in.wav -r 16000 -c 1 -b 16 out.wav`';

export const AsrErrors = defineErrors('asr', {
  ASR_BUSY: {
    status: 503,
    message:
      'Speech recognition is busy: all {size} recognizers are in use. Try again when a call ends, or raise ASR_POOL_SIZE if the machine has spare cores.',
  },
  ASR_CLOSED: { status: 503, message: 'Speech recognition is shutting down.' },
  ASR_SAMPLE_RATE_UNSUPPORTED: { status: 400, message: 'Sample rate {rate} Hz is not supported: use 8000 or 16000.' },
  ASR_START_FAILED: { status: 503, message: 'The {engine} recognizer could not start: {reason}' },
  ASR_FAILED: { status: 503, message: 'Recognition failed: {reason}' },
  ASR_REMOTE_UNREACHABLE: {
    status: 503,
    message: 'The remote ASR server {url} cannot be reached ({reason}): check ASR_URL and that the server runs.',
  },
  ASR_AUDIO_UNREADABLE: { status: 400, message: 'Cannot read {path}: {reason}.' },
  // `name` labels the audio (a file name, or "audio").
  ASR_WAV_EMPTY: { status: 400, message: '{name} is empty (0 bytes): give a WAV file with speech.' },
  ASR_WAV_NOT_WAV: { status: 400, message: `{name} is not a WAV file (no RIFF/WAVE header): ${CONVERT}.` },
  ASR_WAV_FMT_TRUNCATED: { status: 400, message: '{name}: the WAV fmt chunk is truncated.' },
  ASR_WAV_NO_FMT: { status: 400, message: `{name} has no fmt chunk: it is not a valid WAV file; ${CONVERT}.` },
  ASR_WAV_NO_DATA: { status: 400, message: '{name} has no data chunk: the WAV file holds no audio.' },
  ASR_WAV_FORMAT_UNSUPPORTED: {
    status: 400,
    message: `{name} is WAV format {format} with {bits}-bit samples: only 16-bit PCM, µ-law or A-law are read; ${CONVERT}.`,
  },
  ASR_WAV_RATE_UNSUPPORTED: { status: 400, message: `{name} is sampled at {rate} Hz: only 8000 or 16000 Hz are accepted; ${CONVERT}.` },
  ASR_WAV_CHANNELS_INVALID: { status: 400, message: '{name} declares {channels} channels: not a valid WAV file.' },
  ASR_WAV_NO_SAMPLES: { status: 400, message: '{name} holds no samples (empty data chunk): give a WAV file with speech.' },
});

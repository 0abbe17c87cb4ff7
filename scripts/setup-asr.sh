#!/bin/sh
# Speech recognition setup: Debian's PocketSphinx library, then the models and libvosk.so
# in MODELS_DIR (copied from SHARED_DIR, libvosk.so from the vosk npm tarball). Run once.
set -e
if ! ls /usr/lib/*/libpocketsphinx.so.3 >/dev/null 2>&1; then
  apt-get update && apt-get install -y pocketsphinx libpocketsphinx3 libsphinxbase3
fi
# Without a Vosk model (none can be obtained offline) this exits 1 after setting up the rest.
node bin/hotline.js models "$@" || echo "setup-asr: see the messages above; PocketSphinx is usable if its model was copied."
node bin/hotline.js asr build-lm --no-db

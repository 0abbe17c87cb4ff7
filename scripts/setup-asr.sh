#!/bin/sh
# Speech recognition setup: Debian's PocketSphinx library and the general-Chinese language model
# the sherpa engine's pinyin converter mixes in (sunpinyin-data, CC BY-SA: installed, never
# copied into the repository), then the models and libvosk.so in MODELS_DIR (copied from
# SHARED_DIR or downloaded and checked, libvosk.so from the vosk npm tarball). Run once.
set -e
if ! ls /usr/lib/*/libpocketsphinx.so.3 >/dev/null 2>&1 || [ ! -f /usr/lib/x86_64-linux-gnu/sunpinyin/data/lm_sc.t3g ] || ! command -v bzip2 >/dev/null; then
  apt-get update && apt-get install -y --no-install-recommends pocketsphinx libpocketsphinx3 libsphinxbase3 sunpinyin-data bzip2
fi
# Without a Vosk model (none can be obtained offline) this exits 1 after setting up the rest.
node bin/hotline.js models "$@" || echo "setup-asr: see the messages above; sherpa and PocketSphinx are usable when their lines say ready/copied."
node bin/hotline.js asr build-lm --no-db

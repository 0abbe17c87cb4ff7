#!/bin/sh
# Regenerates the default prompts (8 kHz mono 16-bit WAV) with espeak-ng and sox.
# A site replaces them by pointing TELEPHONY_GREETING_WAV / TELEPHONY_QUEUE_WAV at its own files.
set -e
cd "$(dirname "$0")"
espeak-ng -v cmn -s 150 -w /tmp/hotline-greeting.wav "您好，这里是一二三四五政务服务便民热线。正在为您转接话务员，请稍候。"
sox /tmp/hotline-greeting.wav -r 8000 -c 1 -b 16 greeting.wav norm -3
espeak-ng -v cmn -s 150 -w /tmp/hotline-queue.wav "话务员正忙，请您耐心等待。"
# The spoken reminder, then a soft two-tone chime and silence: repeats while the caller waits.
sox /tmp/hotline-queue.wav -r 8000 -c 1 -b 16 /tmp/hotline-queue-8k.wav norm -6
sox -n -r 8000 -c 1 -b 16 /tmp/hotline-chime.wav synth 0.3 sine 660 synth 0.3 sine 880 gain -18 pad 0 3
sox /tmp/hotline-queue-8k.wav /tmp/hotline-chime.wav queue.wav
rm -f /tmp/hotline-greeting.wav /tmp/hotline-queue.wav /tmp/hotline-queue-8k.wav /tmp/hotline-chime.wav

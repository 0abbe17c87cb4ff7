#!/bin/sh
# Makes the default survey question (8 kHz mono 16-bit WAV). A site replaces it with its
# own recording (CALLBACK_SURVEY_WAV). Needs espeak-ng and sox (Debian packages).
set -e
cd "$(dirname "$0")"
espeak-ng -v cmn -s 150 -w /tmp/survey-$$.wav "您好，这里是一二三四五热线回访。对办理结果满意请按一，基本满意请按二，不满意请按三。"
sox /tmp/survey-$$.wav -r 8000 -c 1 -b 16 survey.wav
rm -f /tmp/survey-$$.wav

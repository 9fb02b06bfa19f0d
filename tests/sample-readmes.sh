#!/usr/bin/env bash
# Runs the shell commands of the samples' READMEs (TrainYourOwn, ColourShapes, LetterClassifier) in order, exactly as
# written, in a fresh clone of this repository's HEAD (so runs/ and data/ here are never touched), with ../shared beside
# it as in a checkout: a user following a README must not hit an error it does not mention. (DrawLetter's command
# starts a server, which Test_DrawLetterPage drives.) Usage: tests/sample-readmes.sh   (about 4 minutes: the clone builds
# from scratch)
set -euo pipefail
cd "$(dirname "$0")/.."
clone="$(mktemp -d)"
trap 'rm -rf "$clone" /tmp/tiny /tmp/notMNIST_small' EXIT
git clone -q --local . "$clone/repo"
ln -s "$(cd ../shared && pwd)" "$clone/shared"
cd "$clone/repo"
# README and the fewest commands it must have (a README that lost its commands must not pass by running none).
for entry in samples/TrainYourOwn/README.md:5 samples/ColourShapes/README.md:6 samples/LetterClassifier/README.md:3; do
  readme=${entry%:*}
  awk '/^```sh/{inside=1; next} /^```/{inside=0} inside' "$readme" | sed 's/[[:space:]]*#.*$//' | grep -v '^[[:space:]]*$' >"$clone/commands.sh"
  count=$(wc -l <"$clone/commands.sh")
  [ "$count" -ge "${entry#*:}" ] || { echo "$readme: expected at least ${entry#*:} commands, found $count" >&2; exit 1; }
  n=0
  while IFS= read -r command; do
    n=$((n + 1))
    echo "== $readme, command $n of $count: $command"
    bash -c "$command" </dev/null >"$clone/out.txt" 2>&1 || { tail -20 "$clone/out.txt"; echo "$readme: command $n failed: $command" >&2; exit 1; }
    tail -2 "$clone/out.txt"
  done <"$clone/commands.sh"
  echo "$readme: all $count commands ran"
done

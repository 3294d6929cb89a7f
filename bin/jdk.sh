# shellcheck shell=sh
# Finds a JDK for FileSync's scripts (mvnw, .ci/run, bin/filesync), POSIX sh.
#
#   . bin/jdk.sh; filesync_find_jdk 25 || exit 1     # sets JAVA_HOME and PATH
#
# Looks, in this order, at $FILESYNC_JAVA_HOME, $JAVA_HOME, $JDK25_HOME, the JDK
# of the `java` on PATH, then every directory under /usr/lib/jvm, /opt/java,
# /usr/local/lib/jvm and ~/.sdkman/candidates/java. The first one whose `release`
# file names a major version >= the one asked for (and that has bin/javac) wins.

filesync_jdk_major() {
  # prints the major version of the JDK in $1, or nothing
  [ -f "$1/release" ] || return 0
  sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release" | head -n 1
}

filesync_find_jdk() {
  _want=${1:-25}
  _path_jdk=""
  if command -v java >/dev/null 2>&1; then
    _path_jdk=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
  fi
  _seen=""
  _noglob=""
  case $- in *f*) _noglob=1; set +f ;; esac
  for _c in "${FILESYNC_JAVA_HOME:-}" "${JAVA_HOME:-}" "${JDK25_HOME:-}" "$_path_jdk" \
      /usr/lib/jvm/* /opt/java/* /usr/local/lib/jvm/* "$HOME"/.sdkman/candidates/java/*; do
    [ -n "$_c" ] && [ -d "$_c" ] || continue
    _v=$(filesync_jdk_major "$_c")
    [ -n "$_v" ] && _seen="$_seen $(basename "$_c")=$_v"
    if [ -n "$_v" ] && [ "$_v" -ge "$_want" ] && [ -x "$_c/bin/javac" ]; then
      [ -z "$_noglob" ] || set -f
      JAVA_HOME=$_c
      PATH="$_c/bin:$PATH"
      export JAVA_HOME PATH
      return 0
    fi
  done
  [ -z "$_noglob" ] || set -f
  {
    echo "FileSync needs a JDK $_want or newer, and none was found."
    echo "  looked at: \$FILESYNC_JAVA_HOME, \$JAVA_HOME, \$JDK25_HOME, the java on PATH, /usr/lib/jvm/*, /opt/java/*"
    echo "  found:${_seen:- nothing}"
    echo "  fix: install a JDK $_want (for example Eclipse Temurin $_want) and set FILESYNC_JAVA_HOME to it."
  } >&2
  return 1
}

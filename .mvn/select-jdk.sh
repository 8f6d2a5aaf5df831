# Sourced by ./mvnw and bin/java25: points JAVA_HOME at a JDK 25 or newer.
# Why: the machine's default java is 17, and simdnet needs the JDK 25 Vector API and javac.
# Order: an existing JAVA_HOME that is already 25+, then the usual install folders, newest first.

simdnet_java_feature() {
  # Prints the feature version (17, 25, ...) of the JDK at $1, or nothing.
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 0
  "$1/bin/java" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java\.specification\.version = \([0-9][0-9]*\).*/\1/p' | head -n 1
}

simdnet_select_jdk() {
  if [ -n "${JAVA_HOME-}" ]; then
    v=$(simdnet_java_feature "$JAVA_HOME")
    if [ -n "$v" ] && [ "$v" -ge 25 ]; then return 0; fi
  fi
  best="" best_v=0
  # ./mvnw runs with 'set -f'; the search needs globbing.
  case $- in *f*) set +f; simdnet_restore_noglob=1 ;; *) simdnet_restore_noglob=0 ;; esac
  for d in /usr/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk* "$HOME"/.jdks/* "$HOME"/.sdkman/candidates/java/*; do
    [ -d "$d" ] || continue
    v=$(simdnet_java_feature "$d")
    if [ -n "$v" ] && [ "$v" -ge 25 ] && [ "$v" -gt "$best_v" ]; then best="$d" best_v="$v"; fi
  done
  if [ "$simdnet_restore_noglob" = 1 ]; then set -f; fi
  if [ -z "$best" ]; then
    echo "simdnet: no JDK 25 or newer found (JAVA_HOME=${JAVA_HOME-unset}, searched /usr/lib/jvm, /usr/java, /opt/java, ~/.jdks, ~/.sdkman); install one, e.g. 'apt-get install temurin-25-jdk', or set JAVA_HOME to it." >&2
    exit 1
  fi
  JAVA_HOME="$best"
  export JAVA_HOME
}

simdnet_select_jdk

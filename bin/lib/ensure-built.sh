# Sourced by the bin/ launchers: builds a module's artifact when it is missing or older than its sources.
# SEAMSTREAM_NO_BUILD (any value but empty, 0 or false) turns building off: a missing or stale artifact is then an
# error naming the file and the Maven command, so nothing runs a nested mvn (the launcher test sets it).
#
# SEAMSTREAM_PREPARE_ONLY=1 makes the launcher exit 0 right after this step (built or found current) without
# starting anything: bin/seamstream up prepares every service this way before it starts the first one, so a build
# never eats into a service's health timeout and a stale jar stops 'up' before anything runs.
#
# ensure_built NAME ARTIFACT ALSO MODULES SOURCE_DIR...
#   NAME      the launcher's name in messages
#   ARTIFACT  the file the launcher runs from
#   ALSO      a path the same build makes that must exist (a dependency folder; only its presence counts), or ""
#   MODULES   the -pl list to build with -am, or "" for the whole project
#   SOURCE_DIR... where sources newer than ARTIFACT make it stale (*.java, *.proto, pom.xml, *.properties; not target/,
#             not src/test/: tests are not in the artifact)
ensure_built() {
  local name="$1" artifact="$2" also="$3" modules="$4"
  shift 4
  local why=""
  if [ ! -e "$artifact" ]; then
    why="${artifact#"$root"/} is missing"
  elif [ -n "$also" ] && [ ! -e "$also" ]; then
    why="${also#"$root"/} is missing"
  else
    local newer
    newer="$(find "$@" -newer "$artifact" \( -name '*.java' -o -name '*.proto' -o -name 'pom.xml' -o -name '*.properties' \) \
      -not -path '*/target/*' -not -path '*/src/test/*' -print -quit 2>/dev/null || true)"
    if [ -n "$newer" ]; then
      why="${artifact#"$root"/} is older than ${newer#"$root"/}"
    fi
  fi
  if [ -z "$why" ]; then
    prepared_only
    return 0
  fi
  local mvn_args=(-q -B -ntp -DskipTests)
  if [ -n "$modules" ]; then
    mvn_args+=(-pl "$modules" -am)
  fi
  mvn_args+=(package)
  case "${SEAMSTREAM_NO_BUILD:-}" in
    "" | 0 | false) ;;
    *)
      echo "$name: $why, and SEAMSTREAM_NO_BUILD is set, so nothing is built; build it first: mvn ${mvn_args[*]}" >&2
      exit 1
      ;;
  esac
  echo "$name: building ($why; mvn package, tests skipped) ..." >&2
  (cd "$root" && mvn "${mvn_args[@]}") >&2
  # the jar plugin keeps an unchanged jar's time; without this every start would find it stale again
  touch "$artifact"
  prepared_only
}

prepared_only() {
  if [ "${SEAMSTREAM_PREPARE_ONLY:-}" = 1 ]; then
    exit 0
  fi
}

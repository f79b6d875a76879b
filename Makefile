# ferry — see README.md. Every target works on a fresh machine with Java 17 and Maven.
MVN      ?= mvn -B -q
PREFIX   ?= /opt/ferry
DESTDIR  ?=
SYSCONFDIR ?= /etc/ferry
SPOOLDIR ?= /var/spool/ferry
STATEDIR ?= /var/lib/ferry
UNITDIR  ?= /etc/systemd/system
JAR      := target/ferry.jar

.PHONY: build check test test-systemd soak run demo bench install uninstall clean

AGENT    := target/agent/jmx_prometheus_javaagent.jar

build: $(JAR) $(AGENT)

# One Maven run makes both: the jar and the Prometheus agent it copies next to it.
$(JAR) $(AGENT) &: pom.xml $(shell find src/main -type f 2>/dev/null)
	$(MVN) package -DskipTests

# Every test this machine can run: unit, end-to-end, real-process and fault tests (Maven), then the
# install layout, the systemd unit checks and make demo itself. Long fault runs are in `make soak`.
test:
	mvn -B verify
	sh src/test/sh/install-test.sh
	sh src/test/sh/systemd-test.sh
	sh src/test/sh/demo-test.sh
	bash src/test/sh/systemd-boot-test.sh

# ferry installed and booted under systemd in a Debian 12 container, used as user alice (docs/operations.md,
# "Running under systemd"). Needs root, debootstrap and systemd-nspawn; prints SKIPPED where they
# are missing. The Debian root is cached in target/systemd-boot (about 2 minutes once cached).
test-systemd: build
	bash src/test/sh/systemd-boot-test.sh

# The fast tier alone (unit tests, no daemon, process or fault scenario): the loop while you work.
check:
	mvn -B test

soak:
	mvn -B verify -Dtest.groups=soak -Dtest.excludedGroups= -Dit.groups=soak -Dit.excludedGroups=

# Benchmarks (issue 6): not tests, never part of make test; writes docs/benchmarks.md. About 4 to 10 minutes on 2 cores.
# BENCH_OPTS passes -Dbench.only=1,6 (a subset) or -Dbench.runs=5 (more repetitions). BENCH_OUT is the
# report it writes (a subset's report replaces the generated table: point it elsewhere to keep docs' one).
BENCH_OUT ?= docs/benchmarks.md
bench:
	$(MVN) test-compile
	$(MVN) dependency:build-classpath -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test
	java -Xmx4g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn $(BENCH_OPTS) \
	  -cp "target/classes:target/test-classes:$$(cat target/bench.cp)" dev.ferry.bench.BenchMain $(BENCH_OUT)

run: build
	bin/ferry run --conf conf

demo: build
	@sh examples/demo.sh

clean:
	rm -rf target var

# --- install / uninstall -------------------------------------------------------------------------
# make install [PREFIX=/opt/ferry] [DESTDIR=/staging]. Owners (ferry:ferry) are set only when run as
# root without DESTDIR and the ferry user and group exist; modes are always set.
# PREFIX must be a directory of its own: the launcher puts every jar in PREFIX/lib on the class path.
# So the Prometheus agent goes to PREFIX/lib/agent, where the class path does not reach. Its rules,
# prometheus-jmx.yaml, are 0644, unlike ferry.properties: they hold no secret, and systemd-tmpfiles
# gives only ferry.properties to group ferry, so a root-only copy would keep the agent, and with it
# the JVM, from starting under user ferry.
SYSUSERSDIR ?= /etc/sysusers.d
TMPFILESDIR ?= /etc/tmpfiles.d
ETC      := $(DESTDIR)$(SYSCONFDIR)
LIBDIR   := $(DESTDIR)$(PREFIX)/lib
MANIFEST := $(LIBDIR)/.installed-jars
# Rewrites the paths of the shipped unit and snippets when PREFIX and friends are not the defaults.
SUBST    := sed -e 's|/opt/ferry|$(PREFIX)|g' -e 's|/etc/ferry|$(SYSCONFDIR)|g' \
              -e 's|/var/spool/ferry|$(SPOOLDIR)|g' -e 's|/var/lib/ferry|$(STATEDIR)|g' \
              $(if $(filter /var/lib/ferry,$(STATEDIR)),,-e 's|^StateDirectory=ferry$$|ReadWritePaths=$(STATEDIR)|' -e '/^StateDirectoryMode=/d')
# The installed configuration is the repository's, with every path made absolute.
INSTALLED_CONF := sed -e '1i\# Installed by make install: spool in $(SPOOLDIR), state in $(STATEDIR).' \
              -e 's|^spool\.dir=.*|spool.dir=$(SPOOLDIR)|' \
              -e 's|^state\.dir=.*|state.dir=$(STATEDIR)|' \
              -e 's|^source\.file\.allowedDirs=.*|source.file.allowedDirs=$(STATEDIR)/data|' \
              -e 's|^connection\.local\.uri=embedded:.*|connection.local.uri=embedded:$(STATEDIR)/embedded|' \
              -e 's|kept on disk under var/embedded|kept on disk under $(STATEDIR)/embedded|'
# "yes" when owners can and should be set.
CHOWN    = $(shell [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ] && getent passwd ferry >/dev/null && getent group ferry >/dev/null && echo yes)

install: build
	@set -e; \
	own() { if [ "$(CHOWN)" = yes ]; then chown "$$@"; fi; }; \
	install -d -m 0755 $(DESTDIR)$(PREFIX)/bin $(LIBDIR); \
	install -m 0755 bin/ferry $(DESTDIR)$(PREFIX)/bin/ferry; \
	if [ -f $(MANIFEST) ]; then (cd $(LIBDIR) && xargs rm -f < .installed-jars); fi; \
	install -m 0644 $(JAR) target/lib/*.jar $(LIBDIR)/; \
	(cd target && ls ferry.jar && cd lib && ls *.jar) > $(MANIFEST); \
	install -d -m 0755 $(LIBDIR)/agent; \
	install -m 0644 target/agent/jmx_prometheus_javaagent.jar $(LIBDIR)/agent/; \
	if [ -f README.md ]; then install -m 0644 README.md $(DESTDIR)$(PREFIX)/README.md; fi; \
	if [ -f LICENSE ]; then install -m 0644 LICENSE $(DESTDIR)$(PREFIX)/LICENSE; fi; \
	rm -rf $(DESTDIR)$(PREFIX)/docs; if [ -d docs ]; then cp -R docs $(DESTDIR)$(PREFIX)/docs; chmod -R u=rwX,go=rX $(DESTDIR)$(PREFIX)/docs; fi; \
	rm -rf $(DESTDIR)$(PREFIX)/examples; cp -R examples $(DESTDIR)$(PREFIX)/examples; \
	chmod -R u=rwX,go=rX $(DESTDIR)$(PREFIX)/examples; \
	echo "installed $(PREFIX)/bin/ferry and $$(wc -l < $(MANIFEST)) jars in $(PREFIX)/lib"; \
	echo "installed the Prometheus JMX exporter in $(PREFIX)/lib/agent (off unless FERRY_OPTS loads it)"; \
	install -d -m 0750 $(ETC); own root:ferry $(ETC); \
	install -d -m 0700 $(ETC)/credentials; \
	$(INSTALLED_CONF) conf/ferry.properties > $(ETC)/.ferry.properties.tmp; \
	for kv in 'spool.dir=$(SPOOLDIR)' 'state.dir=$(STATEDIR)' 'source.file.allowedDirs=$(STATEDIR)/data' \
	          'connection.local.uri=embedded:$(STATEDIR)/embedded'; do \
	  grep -qxF "$$kv" $(ETC)/.ferry.properties.tmp || { echo "install: conf/ferry.properties has no line for $${kv%%=*}; fix INSTALLED_CONF in the Makefile" >&2; rm -f $(ETC)/.ferry.properties.tmp; exit 1; }; \
	done; \
	chmod 0640 $(ETC)/.ferry.properties.tmp; own root:ferry $(ETC)/.ferry.properties.tmp; \
	if [ ! -e $(ETC)/ferry.properties ]; then \
	  mv $(ETC)/.ferry.properties.tmp $(ETC)/ferry.properties; \
	  echo "installed $(SYSCONFDIR)/ferry.properties"; \
	elif cmp -s $(ETC)/.ferry.properties.tmp $(ETC)/ferry.properties; then \
	  rm -f $(ETC)/.ferry.properties.tmp $(ETC)/ferry.properties.new; \
	  own root:ferry $(ETC)/ferry.properties; \
	  echo "kept $(SYSCONFDIR)/ferry.properties (unchanged)"; \
	else \
	  mv $(ETC)/.ferry.properties.tmp $(ETC)/ferry.properties.new; \
	  echo "kept your $(SYSCONFDIR)/ferry.properties; the shipped one is $(SYSCONFDIR)/ferry.properties.new: merge new keys by hand"; \
	fi; \
	$(SUBST) conf/prometheus-jmx.yaml > $(ETC)/.prometheus-jmx.yaml.tmp; \
	chmod 0644 $(ETC)/.prometheus-jmx.yaml.tmp; \
	if [ ! -e $(ETC)/prometheus-jmx.yaml ]; then \
	  mv $(ETC)/.prometheus-jmx.yaml.tmp $(ETC)/prometheus-jmx.yaml; \
	  echo "installed $(SYSCONFDIR)/prometheus-jmx.yaml"; \
	elif cmp -s $(ETC)/.prometheus-jmx.yaml.tmp $(ETC)/prometheus-jmx.yaml; then \
	  rm -f $(ETC)/.prometheus-jmx.yaml.tmp $(ETC)/prometheus-jmx.yaml.new; \
	  echo "kept $(SYSCONFDIR)/prometheus-jmx.yaml (unchanged)"; \
	else \
	  mv $(ETC)/.prometheus-jmx.yaml.tmp $(ETC)/prometheus-jmx.yaml.new; \
	  echo "kept your $(SYSCONFDIR)/prometheus-jmx.yaml; the shipped one is $(SYSCONFDIR)/prometheus-jmx.yaml.new"; \
	fi; \
	install -d -m 0750 $(DESTDIR)$(STATEDIR); own ferry:ferry $(DESTDIR)$(STATEDIR); \
	install -d -m 2770 $(DESTDIR)$(STATEDIR)/data; own ferry:ferry $(DESTDIR)$(STATEDIR)/data; \
	install -d -m 0750 $(DESTDIR)$(SPOOLDIR); own ferry:ferry $(DESTDIR)$(SPOOLDIR); \
	for d in incoming:2770 active:2750 done:2750 failed:2770; do \
	  install -d -m $${d#*:} $(DESTDIR)$(SPOOLDIR)/$${d%:*}; own ferry:ferry $(DESTDIR)$(SPOOLDIR)/$${d%:*}; \
	done; \
	echo "spool $(SPOOLDIR) (incoming/ and failed/ writable by group ferry), state $(STATEDIR)"; \
	install -d -m 0755 $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(TMPFILESDIR); \
	$(SUBST) systemd/ferry.service > $(DESTDIR)$(UNITDIR)/ferry.service; \
	$(SUBST) systemd/ferry.sysusers > $(DESTDIR)$(SYSUSERSDIR)/ferry.conf; \
	$(SUBST) systemd/ferry.tmpfiles > $(DESTDIR)$(TMPFILESDIR)/ferry.conf; \
	chmod 0644 $(DESTDIR)$(UNITDIR)/ferry.service $(DESTDIR)$(SYSUSERSDIR)/ferry.conf $(DESTDIR)$(TMPFILESDIR)/ferry.conf; \
	echo "installed $(UNITDIR)/ferry.service, $(SYSUSERSDIR)/ferry.conf, $(TMPFILESDIR)/ferry.conf"; \
	if [ -z "$(DESTDIR)" ] && [ "$(CHOWN)" != yes ]; then \
	  echo "owners not set (not root, or no user ferry yet). As root: systemd-sysusers $(SYSUSERSDIR)/ferry.conf && systemd-tmpfiles --create $(TMPFILESDIR)/ferry.conf (it also makes $(SYSCONFDIR) readable by group ferry)"; \
	fi; \
	if [ -z "$(DESTDIR)" ]; then echo "then: systemctl daemon-reload && systemctl enable --now ferry"; fi

uninstall:
	@set -e; \
	rm -f $(DESTDIR)$(PREFIX)/bin/ferry $(DESTDIR)$(PREFIX)/README.md $(DESTDIR)$(PREFIX)/LICENSE; \
	rm -rf $(DESTDIR)$(PREFIX)/docs; \
	if [ -f $(MANIFEST) ]; then (cd $(LIBDIR) && xargs rm -f < .installed-jars); rm -f $(MANIFEST); fi; \
	rm -rf $(DESTDIR)$(PREFIX)/examples; \
	rm -f $(LIBDIR)/agent/jmx_prometheus_javaagent.jar; rmdir $(LIBDIR)/agent 2>/dev/null || true; \
	rmdir $(DESTDIR)$(PREFIX)/bin $(LIBDIR) $(DESTDIR)$(PREFIX) 2>/dev/null || true; \
	rm -f $(DESTDIR)$(UNITDIR)/ferry.service $(DESTDIR)$(SYSUSERSDIR)/ferry.conf $(DESTDIR)$(TMPFILESDIR)/ferry.conf; \
	echo "removed $(PREFIX) (launcher, jars, examples, docs) and $(UNITDIR)/ferry.service"; \
	echo "kept configuration $(SYSCONFDIR) and data $(SPOOLDIR), $(STATEDIR), and the user ferry; remove them by hand if wanted"; \
	if [ -z "$(DESTDIR)" ]; then echo "run: systemctl daemon-reload"; fi

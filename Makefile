# ferry — see README.md. Every target works on a fresh machine with Java 17 and Maven.
MVN      ?= mvn -B -q
PREFIX   ?= /opt/ferry
DESTDIR  ?=
SYSCONFDIR ?= /etc/ferry
SPOOLDIR ?= /var/spool/ferry
STATEDIR ?= /var/lib/ferry
UNITDIR  ?= /etc/systemd/system
JAR      := target/ferry.jar

.PHONY: build test soak run demo bench install uninstall clean

build: $(JAR)

$(JAR): pom.xml $(shell find src/main -type f 2>/dev/null)
	$(MVN) package -DskipTests

test:
	mvn -B package

soak:
	mvn -B test -Dtest.groups=soak -Dtest.excludedGroups=

run: build
	bin/ferry run --conf conf

clean:
	rm -rf target var

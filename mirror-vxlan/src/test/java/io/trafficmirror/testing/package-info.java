/**
 * Support for every module's tests, shipped as mirror-vxlan's test jar (it needs only the JDK): frame builders,
 * capture files, the locator of the third-party captures, external tools (tshark, tcpdump), buffer kinds and
 * seeded random generators.
 */
package io.trafficmirror.testing;

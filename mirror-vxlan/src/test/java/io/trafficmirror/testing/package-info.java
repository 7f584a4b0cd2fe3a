/**
 * Support for every module's tests, shipped as mirror-vxlan's test jar (it needs only the JDK, JUnit and AssertJ):
 * the frame builder and the project's own tunnelled traffic ({@link io.trafficmirror.testing.FrameBuilder},
 * {@link io.trafficmirror.testing.MirroredTraffic}), classic pcap files, the locator of the third-party captures
 * that stay outside the project, the Wireshark tools and background captures, buffer kinds and seeded random
 * generators. What only one module's tests need stays with that module.
 */
package io.trafficmirror.testing;

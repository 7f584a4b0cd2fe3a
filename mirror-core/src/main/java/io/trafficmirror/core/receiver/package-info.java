/**
 * The target side of traffic mirroring: {@link io.trafficmirror.core.receiver.MirrorReceiver} takes the VXLAN
 * (or GENEVE) datagrams mirror sessions send, keeps each session's traffic apart by its VNI, and hands the
 * original frames to a handler or to pcap files, counting every datagram it does not deliver and why.
 */
package io.trafficmirror.core.receiver;

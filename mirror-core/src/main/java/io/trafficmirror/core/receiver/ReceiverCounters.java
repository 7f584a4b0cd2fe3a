package io.trafficmirror.core.receiver;

/**
 * A snapshot of what a receiver has counted. Every datagram lands in exactly one outcome:
 * {@code received = accepted + droppedSender + droppedVni + malformed + droppedNotEthernet}.
 * Counters taken while the receiver runs are each exact but may be a datagram apart from one another; once the
 * loop has ended they agree.
 *
 * @param received datagrams taken from the socket.
 * @param accepted frames delivered to the handler or written to a capture file.
 * @param acceptedBytes inner frame bytes of the accepted frames.
 * @param droppedSender datagrams from an address outside the sender allowlist.
 * @param droppedVni frames whose VNI is outside the VNI allowlist (or over the per-VNI file limit).
 * @param malformed datagrams that are not a valid VXLAN or GENEVE packet.
 * @param droppedNotEthernet GENEVE packets whose payload is not an Ethernet frame or VXLAN packet (plain
 *     Gateway Load Balancer traffic rather than mirrored traffic).
 */
public record ReceiverCounters(long received, long accepted, long acceptedBytes, long droppedSender, long droppedVni,
    long malformed, long droppedNotEthernet)
{
}

package io.trafficmirror.core.receiver;

/**
 * A snapshot of what a receiver has counted. Every datagram lands in exactly one outcome:
 * {@code received = accepted + droppedSender + droppedVni + malformed + droppedNotEthernet + droppedWriterBehind
 * + droppedFileOpen + droppedWriteFailed + droppedNoSession}.
 * Counters taken while the receiver runs are each exact but may be a datagram apart from one another (and a frame
 * on its way to the file is counted as accepted); once the loop has ended they agree.
 *
 * @param received datagrams taken from the socket.
 * @param accepted frames delivered to the handler or written to a capture file.
 * @param acceptedBytes inner frame bytes of the accepted frames.
 * @param droppedSender datagrams from an address outside the sender allowlist.
 * @param droppedVni frames whose VNI is outside the VNI allowlist (or past the number of VNIs given files).
 * @param malformed datagrams that are not a valid VXLAN or GENEVE packet.
 * @param droppedNotEthernet GENEVE packets whose payload is not an Ethernet frame or VXLAN packet (plain
 *     Gateway Load Balancer traffic rather than mirrored traffic).
 * @param droppedWriterBehind frames that passed every check but were dropped because the capture file writer had
 *     fallen so far behind that its queue had no room for them; the receiving thread never waits for a disk.
 * @param droppedFileOpen frames whose capture file could not be opened (too many open files, a directory that is
 *     no longer writable); the receiver goes on, and tries again at the file's next frame.
 * @param droppedWriteFailed frames lost because writing their capture file failed (a full disk): the frame being
 *     written, those still buffered for that file, and those that reached the writer after it had failed, or, with
 *     a handler, the frame whose handler threw; the receiver then stops with {@link StopReason#FAILED} (or, for a
 *     stream whose reader went away, {@link StopReason#OUTPUT_CLOSED}).
 * @param droppedNoSession frames whose VNI belongs to no session of the configuration the receiver was given
 *     ({@link MirrorReceiver.Builder#sessions}): traffic of another session, or not of this deployment.
 */
public record ReceiverCounters(long received, long accepted, long acceptedBytes, long droppedSender, long droppedVni,
    long malformed, long droppedNotEthernet, long droppedWriterBehind, long droppedFileOpen, long droppedWriteFailed,
    long droppedNoSession)
{
    /**
     * Counters of a receiver given no configuration's sessions, so nothing is dropped for want of one.
     *
     * @param received datagrams taken from the socket.
     * @param accepted frames delivered or written.
     * @param acceptedBytes inner frame bytes of the accepted frames.
     * @param droppedSender datagrams from outside the sender allowlist.
     * @param droppedVni frames outside the VNI allowlist or past the number of VNIs given files.
     * @param malformed datagrams that are not valid VXLAN or GENEVE.
     * @param droppedNotEthernet GENEVE packets that carry no Ethernet frame.
     * @param droppedWriterBehind frames dropped because the writer's queue was full.
     * @param droppedFileOpen frames whose capture file could not be opened.
     * @param droppedWriteFailed frames lost to a failed write.
     */
    public ReceiverCounters(final long received, final long accepted, final long acceptedBytes,
        final long droppedSender, final long droppedVni, final long malformed, final long droppedNotEthernet,
        final long droppedWriterBehind, final long droppedFileOpen, final long droppedWriteFailed)
    {
        this(received, accepted, acceptedBytes, droppedSender, droppedVni, malformed, droppedNotEthernet,
            droppedWriterBehind, droppedFileOpen, droppedWriteFailed, 0);
    }

    /**
     * Counters of a receiver whose writer never fell behind and never failed (as for a handler, which has no writer).
     *
     * @param received datagrams taken from the socket.
     * @param accepted frames delivered or written.
     * @param acceptedBytes inner frame bytes of the accepted frames.
     * @param droppedSender datagrams from outside the sender allowlist.
     * @param droppedVni frames outside the VNI allowlist or past the number of VNIs given files.
     * @param malformed datagrams that are not valid VXLAN or GENEVE.
     * @param droppedNotEthernet GENEVE packets that carry no Ethernet frame.
     */
    public ReceiverCounters(final long received, final long accepted, final long acceptedBytes,
        final long droppedSender, final long droppedVni, final long malformed, final long droppedNotEthernet)
    {
        this(received, accepted, acceptedBytes, droppedSender, droppedVni, malformed, droppedNotEthernet, 0, 0, 0, 0);
    }

    /**
     * Counters of a receiver whose files never failed to open or to be written.
     *
     * @param received datagrams taken from the socket.
     * @param accepted frames delivered or written.
     * @param acceptedBytes inner frame bytes of the accepted frames.
     * @param droppedSender datagrams from outside the sender allowlist.
     * @param droppedVni frames outside the VNI allowlist or past the number of VNIs given files.
     * @param malformed datagrams that are not valid VXLAN or GENEVE.
     * @param droppedNotEthernet GENEVE packets that carry no Ethernet frame.
     * @param droppedWriterBehind frames dropped because the writer's queue was full.
     */
    public ReceiverCounters(final long received, final long accepted, final long acceptedBytes,
        final long droppedSender, final long droppedVni, final long malformed, final long droppedNotEthernet,
        final long droppedWriterBehind)
    {
        this(received, accepted, acceptedBytes, droppedSender, droppedVni, malformed, droppedNotEthernet,
            droppedWriterBehind, 0, 0, 0);
    }
}

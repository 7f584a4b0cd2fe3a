package io.trafficmirror.core.engine;

/**
 * The connected UDP sockets of one endpoint of a {@link UdpTarget}, for one lane: what differs between the JDK's
 * transport ({@link JdkUdpSockets}, one system call per datagram) and Netty's epoll transport
 * ({@code NettyUdpSockets}, runs of one length as one segmentation-offload send). The bytes sent are the same.
 * <p>
 * Threading: the lane's sender thread calls {@link #send} and {@link #flush}; {@link #close} may come from the
 * engine's control thread once the sender is done with the target.
 * <p>
 * ICMP reports: a sent copy is one the kernel took; UDP cannot confirm delivery. When nothing listens at the
 * endpoint, its host answers with an ICMP port unreachable, which Linux keeps as the connected socket's pending
 * error and reports on the next send (or read) from it, refusing that send: the datagram of a copy that is not at
 * fault is not sent. Both transports do the same with it: the report is counted against the endpoint
 * ({@link Sender#countEndpointReport}), and the refused copy is sent again, once (the report is cleared by being
 * told), so it is then sent or failed on its own. A run refused whole (one segmentation-offload send) is sent again
 * copy by copy, each with that one retry.
 */
interface UdpSockets
{
    /**
     * @return the local port of each socket.
     */
    int[] ports();

    /**
     * Sends one datagram, the slot's bytes from {@code start} to {@code end}, or queues it until {@link #flush}.
     *
     * @param socket which socket, below the number of ports.
     * @param slot   the copy; its buffer's position and limit are not changed.
     * @param start  the datagram's first byte in the slot.
     * @param end    one past its last byte.
     * @param sender told of the outcome of a copy left {@link TargetRuntime#IN_FLIGHT}.
     * @return {@link TargetRuntime#SENT}, {@link TargetRuntime#FAILED} or {@link TargetRuntime#IN_FLIGHT}.
     */
    int send(int socket, Slot slot, int start, int end, Sender sender);

    /**
     * Sends what {@link #send} queued; every queued copy's outcome reaches its sender, now or once the socket has
     * room again.
     */
    void flush();

    /**
     * Closes the sockets; copies still queued are reported as failed.
     */
    void close();
}

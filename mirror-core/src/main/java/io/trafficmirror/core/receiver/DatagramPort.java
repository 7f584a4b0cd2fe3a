package io.trafficmirror.core.receiver;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * Where the receiver's datagrams come from: the JDK's channel, one datagram per system call, or Netty's epoll
 * channel, a batch per {@code recvmmsg}. Either copies each datagram into the receiver's buffer, from index 0, and
 * hands it to the loop. Only the loop's thread calls {@link #attach()} and {@link #receive}; {@link #wakeup()} is
 * for any thread.
 */
interface DatagramPort
{
    /** Takes one datagram, now in the receive buffer from index 0 to {@code length}. */
    @FunctionalInterface
    interface Visitor
    {
        /**
         * @return false to take no more datagrams in this call (a stop or the frame limit).
         */
        boolean onDatagram(InetSocketAddress sender, int length) throws IOException;
    }

    InetSocketAddress localAddress();

    /**
     * SO_RCVBUF as granted, comparable with what was asked for: Linux keeps twice what it grants (the rest is for
     * its bookkeeping) and reports the double through {@code getsockopt}, which the JDK halves and Netty does not.
     */
    int grantedReceiveBufferBytes() throws IOException;

    /** Called on the loop's thread before its first {@link #receive}. */
    void attach() throws IOException;

    /**
     * Hands the datagrams waiting, a batch at most, to the visitor; when none is waiting, waits up to
     * {@code waitMillis} (at least 1) for one, a {@link #wakeup()} or the time.
     *
     * @return how many datagrams were handed over.
     */
    int receive(Visitor visitor, long waitMillis) throws IOException;

    /** Makes a waiting {@link #receive} return. */
    void wakeup();

    /** Called on the loop's thread when the loop ends, whatever ended it. */
    void detach() throws IOException;

    /**
     * From any thread: closes the socket, or leaves that to {@link #detach()} when the port cannot be closed
     * from outside its loop. Later calls do nothing.
     */
    void close() throws IOException;
}

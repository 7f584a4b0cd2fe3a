/**
 * Which datagram transport the engine and the receiver use: the JDK's, one datagram per system call, or Netty's
 * epoll transport, an optional dependency, which moves a batch per call.
 */
package io.trafficmirror.core.transport;

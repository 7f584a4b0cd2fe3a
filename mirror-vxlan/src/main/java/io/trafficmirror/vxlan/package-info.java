/**
 * VXLAN (RFC 7348) and GENEVE (RFC 8926) codecs that produce and read exactly what Amazon VPC Traffic Mirroring
 * puts on the wire, with nothing but the JDK: a team that only receives mirrored traffic can use this package alone.
 *
 * <p>Sending side:
 * <pre>{@code
 * OuterHeadersEncoder encoder = new OuterHeadersEncoder()
 *     .macAddresses(targetMac, ownMac)
 *     .addresses(sourceInterfaceAddress, targetAddress)
 *     .vni(sessionVni)
 *     .packetLength(session.packetLength());      // optional; the target MTU defaults to 9001
 * // frame received at offset >= encoder.headerLength() in its buffer
 * int length = encoder.encodeInHeadroom(buffer, frameOffset, frameLength);
 * if (length > 0) send(buffer, frameOffset - encoder.headerLength(), length);
 * }</pre>
 * A sender that uses a UDP socket instead writes a {@link io.trafficmirror.vxlan.VxlanHeaderEncoder} header in
 * front of {@link io.trafficmirror.vxlan.OuterHeadersEncoder#innerLength(int)} bytes of the frame and binds or
 * picks its source port with {@link io.trafficmirror.vxlan.FlowHash}.
 *
 * <p>Receiving side:
 * <pre>{@code
 * VxlanFrameDecoder decoder = new VxlanFrameDecoder();
 * if (decoder.decodeVxlanPayload(datagram, 0, datagram.position()) == ResultCode.OK) {
 *     handle(decoder.vni(), datagram, decoder.innerOffset(), decoder.innerLength());
 * }
 * }</pre>
 *
 * <p>Everything on the packet path is allocation-free and reports bad input with {@link
 * io.trafficmirror.vxlan.ResultCode}s; instances are single-threaded flyweights meant to be kept and reused.
 */
package io.trafficmirror.vxlan;

/**
 * The one walk over an inner frame's Ethernet, VLAN, IPv4 and IPv6 extension headers: {@link
 * io.trafficmirror.vxlan.packet.PacketHeaders}, a zero-copy flyweight that reads addresses, protocol, ports and
 * fragment fields and reports malformed input as {@link io.trafficmirror.vxlan.packet.ParseResult} codes.
 *
 * <p>Its constants (header lengths, field offsets, EtherTypes, protocol numbers and the caps on VLAN tags and
 * extension headers) are the only definition of that layout: the mirror filter matches on what it reads, the
 * VXLAN decoder finds the outer UDP header with it, the flow hash computes the outer source port from it and
 * the outer header encoder writes the same offsets. JDK only, like the rest of this module.
 */
package io.trafficmirror.vxlan.packet;

/**
 * Capture files in pure Java, so that demos and tests run where no native capture library is installed:
 * {@link io.trafficmirror.core.capture.CaptureReader} streams pcap and pcapng files record by record through a
 * fixed buffer, checking every length against the format and reporting damage as a
 * {@link io.trafficmirror.core.capture.CaptureFormatException} with the byte offset;
 * {@link io.trafficmirror.core.capture.PcapWriter} writes classic pcap, which every tool reads, without
 * allocating per record.
 */
package io.trafficmirror.core.capture;

package io.trafficmirror.core.capture;

/** The two capture file formats, told apart by the first four bytes. */
public enum CaptureFormat
{
    /** The classic libpcap format: one global header, then records, one link type for the whole file. */
    PCAP,
    /** pcapng (draft-ietf-opsawg-pcapng): sections of typed blocks, several interfaces with their own link types. */
    PCAPNG
}

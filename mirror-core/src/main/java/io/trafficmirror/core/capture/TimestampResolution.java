package io.trafficmirror.core.capture;

/** How finely a pcap file stores the fraction of a second; the file's magic number says which. */
public enum TimestampResolution
{
    /** Magic 0xA1B2C3D4: every reader understands it. */
    MICROSECONDS(1_000, 0xA1B2C3D4),
    /** Magic 0xA1B23C4D: libpcap 1.5 and Wireshark read it. */
    NANOSECONDS(1, 0xA1B23C4D);

    private final int nanosPerUnit;
    private final int magic;

    TimestampResolution(final int nanosPerUnit, final int magic)
    {
        this.nanosPerUnit = nanosPerUnit;
        this.magic = magic;
    }

    /**
     * Nanoseconds in one unit of the fraction field.
     *
     * @return 1000 for microseconds, 1 for nanoseconds.
     */
    public int nanosPerUnit()
    {
        return nanosPerUnit;
    }

    /**
     * The pcap magic number of this resolution, as written in the file's byte order.
     *
     * @return the magic.
     */
    public int magic()
    {
        return magic;
    }
}

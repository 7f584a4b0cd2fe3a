package io.trafficmirror.filter;

/**
 * An inclusive TCP or UDP port range, {@code FromPort..ToPort}, as in a filter rule's
 * {@code SourcePortRange} and {@code DestinationPortRange}.
 */
public final class PortRange
{
    /** Lowest port. */
    public static final int MIN_PORT = 0;

    /** Highest port. */
    public static final int MAX_PORT = 65535;

    private final int fromPort;
    private final int toPort;

    private PortRange(final int fromPort, final int toPort)
    {
        this.fromPort = fromPort;
        this.toPort = toPort;
    }

    /**
     * @param fromPort first port, 0..65535.
     * @param toPort   last port, fromPort..65535.
     * @return the range.
     * @throws InvalidConfigurationException naming both fields when out of range or reversed.
     */
    public static PortRange of(final int fromPort, final int toPort)
    {
        final Violations violations = new Violations();
        validate(violations, "PortRange", "", fromPort, toPort);
        violations.throwIfAny();
        return new PortRange(fromPort, toPort);
    }

    /**
     * A single port.
     *
     * @param port the port.
     * @return {@code port..port}.
     */
    public static PortRange single(final int port)
    {
        return of(port, port);
    }

    static void validate(
        final Violations violations, final String objectId, final String fieldPrefix, final int fromPort, final int toPort)
    {
        final boolean fromOk = violations.checkRange(objectId, fieldPrefix + "FromPort", fromPort, MIN_PORT, MAX_PORT);
        final boolean toOk = violations.checkRange(objectId, fieldPrefix + "ToPort", toPort, MIN_PORT, MAX_PORT);
        if (fromOk && toOk && fromPort > toPort)
        {
            violations.add(Ec2ErrorCode.INVALID_PARAMETER_VALUE, objectId, fieldPrefix + "ToPort", toPort,
                "FromPort (" + fromPort + ").." + MAX_PORT);
        }
    }

    /**
     * @return the first port.
     */
    public int fromPort()
    {
        return fromPort;
    }

    /**
     * @return the last port.
     */
    public int toPort()
    {
        return toPort;
    }

    /**
     * @param port a port.
     * @return true when {@code fromPort <= port <= toPort}.
     */
    public boolean contains(final int port)
    {
        return port >= fromPort && port <= toPort;
    }

    @Override
    public boolean equals(final Object o)
    {
        if (this == o)
        {
            return true;
        }
        if (!(o instanceof PortRange))
        {
            return false;
        }
        final PortRange that = (PortRange)o;
        return fromPort == that.fromPort && toPort == that.toPort;
    }

    @Override
    public int hashCode()
    {
        return 31 * fromPort + toPort;
    }

    @Override
    public String toString()
    {
        return fromPort + "-" + toPort;
    }
}

package io.trafficmirror.core.config;

import io.trafficmirror.filter.FieldsText;
import io.trafficmirror.filter.AwsNamed;
import io.trafficmirror.filter.InvalidConfigurationException;
import io.trafficmirror.filter.Violations;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A traffic mirror session ({@code TrafficMirrorSession}): mirrors what a filter accepts on a source
 * interface to a target, with a VNI and an optional packet length.
 * <p>
 * Several sessions on one source are tried by ascending session number, 1 first; the first whose filter
 * accepts a packet mirrors it. A session built without a VNI gets a random unused one when it joins a
 * {@link MirrorConfiguration}. Immutable; build with {@link #builder()}.
 */
public final class MirrorSession
{
    /** Highest priority session number. */
    public static final int MIN_SESSION_NUMBER = 1;

    /** Lowest priority session number. */
    public static final int MAX_SESSION_NUMBER = 32766;

    /** Highest VXLAN network identifier (24 bits). */
    public static final int MAX_VNI = (1 << 24) - 1;

    /** Shortest packet length: bytes mirrored after the VXLAN header. */
    public static final int MIN_PACKET_LENGTH = 1;

    /** Longest packet length. */
    public static final int MAX_PACKET_LENGTH = 8500;

    /**
     * Fields that {@code ModifyTrafficMirrorSession}'s {@code RemoveFields} resets to their defaults.
     */
    public enum Field implements AwsNamed
    {
        /** Back to the default: whole packets, or 8500 bytes to a Network Load Balancer. */
        PACKET_LENGTH("packet-length"),

        /** Back to no description. */
        DESCRIPTION("description"),

        /** Back to a random unused VNI. */
        VIRTUAL_NETWORK_ID("virtual-network-id");

        private final String awsName;

        Field(final String awsName)
        {
            this.awsName = awsName;
        }

        @Override
        public String awsName()
        {
            return awsName;
        }
    }

    private final String id;
    private final String networkInterfaceId;
    private final String targetId;
    private final String filterId;
    private final int sessionNumber;
    private final Integer virtualNetworkId;
    private final Integer packetLength;
    private final String description;

    private MirrorSession(final Builder builder)
    {
        this.id = builder.id;
        this.networkInterfaceId = builder.networkInterfaceId;
        this.targetId = builder.targetId;
        this.filterId = builder.filterId;
        this.sessionNumber = builder.sessionNumber;
        this.virtualNetworkId = builder.virtualNetworkId;
        this.packetLength = builder.packetLength;
        this.description = builder.description;
    }

    /**
     * @return a builder with nothing set.
     */
    public static Builder builder()
    {
        return new Builder();
    }

    /**
     * @return a builder holding this session's values.
     */
    public Builder toBuilder()
    {
        final Builder builder = new Builder()
            .id(id)
            .networkInterfaceId(networkInterfaceId)
            .targetId(targetId)
            .filterId(filterId)
            .sessionNumber(sessionNumber)
            .description(description);
        builder.virtualNetworkId = virtualNetworkId;
        builder.packetLength = packetLength;
        return builder;
    }

    /**
     * @return the session id ({@code TrafficMirrorSessionId}).
     */
    public String id()
    {
        return id;
    }

    /**
     * @return the source interface ({@code NetworkInterfaceId}).
     */
    public String networkInterfaceId()
    {
        return networkInterfaceId;
    }

    /**
     * @return the target ({@code TrafficMirrorTargetId}).
     */
    public String targetId()
    {
        return targetId;
    }

    /**
     * @return the filter ({@code TrafficMirrorFilterId}).
     */
    public String filterId()
    {
        return filterId;
    }

    /**
     * @return the session number, 1..32766; lower is tried first.
     */
    public int sessionNumber()
    {
        return sessionNumber;
    }

    /**
     * @return the VNI, or empty until a configuration assigns one.
     */
    public OptionalInt virtualNetworkId()
    {
        return virtualNetworkId == null ? OptionalInt.empty() : OptionalInt.of(virtualNetworkId);
    }

    /**
     * @return bytes mirrored after the VXLAN header as given, or empty when none was: whole packets, or 8500 bytes
     *         to a Network Load Balancer ({@link MirrorConfiguration#packetLength(MirrorSession)}).
     */
    public OptionalInt packetLength()
    {
        return packetLength == null ? OptionalInt.empty() : OptionalInt.of(packetLength);
    }

    /**
     * @return the description, when there is one.
     */
    public Optional<String> description()
    {
        return Optional.ofNullable(description);
    }

    @Override
    public boolean equals(final Object o)
    {
        if (this == o)
        {
            return true;
        }
        if (!(o instanceof MirrorSession))
        {
            return false;
        }
        final MirrorSession that = (MirrorSession)o;
        return sessionNumber == that.sessionNumber &&
            Objects.equals(id, that.id) &&
            Objects.equals(networkInterfaceId, that.networkInterfaceId) &&
            Objects.equals(targetId, that.targetId) &&
            Objects.equals(filterId, that.filterId) &&
            Objects.equals(virtualNetworkId, that.virtualNetworkId) &&
            Objects.equals(packetLength, that.packetLength) &&
            Objects.equals(description, that.description);
    }

    @Override
    public int hashCode()
    {
        return Objects.hash(
            id, networkInterfaceId, targetId, filterId, sessionNumber, virtualNetworkId, packetLength, description);
    }

    @Override
    public String toString()
    {
        return new FieldsText("MirrorSession")
            .add("id", id)
            .add("networkInterfaceId", networkInterfaceId)
            .add("targetId", targetId)
            .add("filterId", filterId)
            .add("sessionNumber", sessionNumber)
            .add("virtualNetworkId", virtualNetworkId)
            .add("packetLength", packetLength)
            .add("description", description)
            .toString();
    }

    /**
     * Builds a {@link MirrorSession}; {@link #build()} reports every problem at once.
     */
    public static final class Builder
    {
        private String id;
        private String networkInterfaceId;
        private String targetId;
        private String filterId;
        private Integer sessionNumber;
        private Integer virtualNetworkId;
        private Integer packetLength;
        private String description;

        private Builder()
        {
        }

        /**
         * @param id the session id, e.g. {@code tms-0123456789abcdef0}; required.
         * @return this.
         */
        public Builder id(final String id)
        {
            this.id = id;
            return this;
        }

        /**
         * @param networkInterfaceId the source interface; required.
         * @return this.
         */
        public Builder networkInterfaceId(final String networkInterfaceId)
        {
            this.networkInterfaceId = networkInterfaceId;
            return this;
        }

        /**
         * @param targetId the target; required.
         * @return this.
         */
        public Builder targetId(final String targetId)
        {
            this.targetId = targetId;
            return this;
        }

        /**
         * @param filterId the filter; required.
         * @return this.
         */
        public Builder filterId(final String filterId)
        {
            this.filterId = filterId;
            return this;
        }

        /**
         * @param sessionNumber 1..32766, unique per source; required.
         * @return this.
         */
        public Builder sessionNumber(final int sessionNumber)
        {
            this.sessionNumber = sessionNumber;
            return this;
        }

        /**
         * @param virtualNetworkId the VNI, 0..16777215; leave unset for a random unused one.
         * @return this.
         */
        public Builder virtualNetworkId(final int virtualNetworkId)
        {
            this.virtualNetworkId = virtualNetworkId;
            return this;
        }

        /**
         * @param packetLength bytes to mirror after the VXLAN header, 1..8500; leave unset for the target type's
         *                     default (whole packets, or 8500 bytes to a Network Load Balancer).
         * @return this.
         */
        public Builder packetLength(final int packetLength)
        {
            this.packetLength = packetLength;
            return this;
        }

        /**
         * @param description free text, at most 255 characters; optional.
         * @return this.
         */
        public Builder description(final String description)
        {
            this.description = description;
            return this;
        }

        /**
         * Resets a field to its default, as {@code RemoveFields} does.
         *
         * @param field the field.
         * @return this.
         */
        public Builder remove(final Field field)
        {
            switch (field)
            {
                case PACKET_LENGTH:
                    packetLength = null;
                    return this;
                case DESCRIPTION:
                    description = null;
                    return this;
                case VIRTUAL_NETWORK_ID:
                    virtualNetworkId = null;
                    return this;
                default:
                    throw new IllegalArgumentException(String.valueOf(field));
            }
        }

        /**
         * @return the session.
         * @throws InvalidConfigurationException listing every problem found.
         */
        public MirrorSession build()
        {
            final Violations violations = new Violations();
            final String name = id == null ? "session" : id;
            violations.checkId(name, "TrafficMirrorSessionId", id);
            violations.checkId(name, "NetworkInterfaceId", networkInterfaceId);
            violations.checkId(name, "TrafficMirrorTargetId", targetId);
            violations.checkId(name, "TrafficMirrorFilterId", filterId);
            if (violations.checkRequired(
                name, "SessionNumber", sessionNumber, MIN_SESSION_NUMBER + ".." + MAX_SESSION_NUMBER))
            {
                violations.checkRange(name, "SessionNumber", sessionNumber, MIN_SESSION_NUMBER, MAX_SESSION_NUMBER);
            }
            if (virtualNetworkId != null)
            {
                violations.checkRange(name, "VirtualNetworkId", virtualNetworkId, 0, MAX_VNI);
            }
            if (packetLength != null)
            {
                violations.checkRange(name, "PacketLength", packetLength, MIN_PACKET_LENGTH, MAX_PACKET_LENGTH);
            }
            violations.checkDescription(name, description);
            violations.throwIfAny();
            return new MirrorSession(this);
        }
    }
}

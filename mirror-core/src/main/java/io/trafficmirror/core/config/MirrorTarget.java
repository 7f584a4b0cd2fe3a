package io.trafficmirror.core.config;

import io.trafficmirror.filter.FieldsText;
import io.trafficmirror.filter.AwsNamed;
import io.trafficmirror.filter.InvalidConfigurationException;
import io.trafficmirror.filter.Violations;

import java.util.Objects;
import java.util.Optional;

/**
 * A traffic mirror target ({@code TrafficMirrorTarget}): where a session sends its mirrored packets.
 * <p>
 * Besides the EC2 fields it has an MTU, the largest outer IP packet the path to the target carries;
 * mirrored packets that would exceed it are truncated. It is 9001 by default, the MTU of an AWS network
 * interface, and 8500 for a Gateway Load Balancer endpoint, whose load balancer takes no larger packet
 * ({@link TargetType#defaultMtu()}). Immutable; build with {@link #builder()}.
 */
public final class MirrorTarget
{
    /** The MTU of an AWS network interface, the default. */
    public static final int DEFAULT_MTU = 9001;

    /** The MTU of a Gateway Load Balancer: the default and the most for its endpoints. */
    public static final int GATEWAY_LOAD_BALANCER_MTU = 8500;

    /** Smallest MTU: the IPv4 minimum datagram every host must accept. */
    public static final int MIN_MTU = 576;

    /** Largest MTU: the common jumbo-frame limit. */
    public static final int MAX_MTU = 9216;

    private final String id;
    private final TargetType type;
    private final String resourceId;
    private final String description;
    private final int mtu;

    private MirrorTarget(final Builder builder)
    {
        this.id = builder.id;
        this.type = builder.type;
        this.resourceId = builder.resourceId;
        this.description = builder.description;
        this.mtu = builder.mtu != null ? builder.mtu : builder.type.defaultMtu();
    }

    /**
     * @return a builder with nothing set; the MTU defaults by type.
     */
    public static Builder builder()
    {
        return new Builder();
    }

    /**
     * @return a builder holding this target's values.
     */
    public Builder toBuilder()
    {
        return new Builder().id(id).type(type).resourceId(resourceId).description(description).mtu(mtu);
    }

    /**
     * @return the target id ({@code TrafficMirrorTargetId}).
     */
    public String id()
    {
        return id;
    }

    /**
     * @return the kind of resource.
     */
    public TargetType type()
    {
        return type;
    }

    /**
     * @return the resource: ENI id, NLB ARN or GWLB endpoint id, by {@link #type()}.
     */
    public String resourceId()
    {
        return resourceId;
    }

    /**
     * @return the description, when there is one.
     */
    public Optional<String> description()
    {
        return Optional.ofNullable(description);
    }

    /**
     * @return the largest outer IP packet sent to the target, in bytes.
     */
    public int mtu()
    {
        return mtu;
    }

    @Override
    public boolean equals(final Object o)
    {
        if (this == o)
        {
            return true;
        }
        if (!(o instanceof MirrorTarget))
        {
            return false;
        }
        final MirrorTarget that = (MirrorTarget)o;
        return mtu == that.mtu &&
            Objects.equals(id, that.id) &&
            type == that.type &&
            Objects.equals(resourceId, that.resourceId) &&
            Objects.equals(description, that.description);
    }

    @Override
    public int hashCode()
    {
        return Objects.hash(id, type, resourceId, description, mtu);
    }

    @Override
    public String toString()
    {
        return new FieldsText("MirrorTarget")
            .add("id", id)
            .add("type", type)
            .add("resourceId", resourceId)
            .add("description", description)
            .add("mtu", mtu)
            .toString();
    }

    /**
     * Builds a {@link MirrorTarget}; {@link #build()} reports every problem at once.
     */
    public static final class Builder
    {
        private String id;
        private TargetType type;
        private String resourceId;
        private String description;
        private Integer mtu;

        private Builder()
        {
        }

        /**
         * @param id the target id, e.g. {@code tmt-0123456789abcdef0}; required.
         * @return this.
         */
        public Builder id(final String id)
        {
            this.id = id;
            return this;
        }

        /**
         * @param type the kind of resource; required.
         * @return this.
         */
        public Builder type(final TargetType type)
        {
            this.type = type;
            return this;
        }

        /**
         * @param resourceId the ENI id, NLB ARN or GWLB endpoint id; required.
         * @return this.
         */
        public Builder resourceId(final String resourceId)
        {
            this.resourceId = resourceId;
            return this;
        }

        /**
         * Shorthand for a {@code network-interface} target.
         *
         * @param networkInterfaceId the target ENI.
         * @return this.
         */
        public Builder networkInterface(final String networkInterfaceId)
        {
            return type(TargetType.NETWORK_INTERFACE).resourceId(networkInterfaceId);
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
         * @param mtu largest outer IP packet, {@value MirrorTarget#MIN_MTU}..{@value MirrorTarget#MAX_MTU}
         *            ({@value MirrorTarget#GATEWAY_LOAD_BALANCER_MTU} for a Gateway Load Balancer endpoint); leave
         *            unset for the type's default.
         * @return this.
         */
        public Builder mtu(final int mtu)
        {
            this.mtu = mtu;
            return this;
        }

        /**
         * @return the target.
         * @throws InvalidConfigurationException listing every problem found.
         */
        public MirrorTarget build()
        {
            final Violations violations = new Violations();
            final String name = id == null ? "target" : id;
            violations.checkId(name, "TrafficMirrorTargetId", id);
            violations.checkRequired(name, "Type", type, AwsNamed.allowedNames(TargetType.class));
            if (type != null)
            {
                violations.checkId(name, type.resourceField(), resourceId);
            }
            violations.checkDescription(name, description);
            if (mtu != null)
            {
                checkMtu(violations, name);
            }
            violations.throwIfAny();
            return new MirrorTarget(this);
        }

        private void checkMtu(final Violations violations, final String name)
        {
            // Mtu is this project's own field: AWS learns a target's MTU from the target, so there is no code.
            if (type == null || type.maxMtu() == MAX_MTU)
            {
                if (mtu < MIN_MTU || mtu > MAX_MTU)
                {
                    violations.addWithoutCode(name, "Mtu", mtu, MIN_MTU + ".." + MAX_MTU);
                }
            }
            else if (mtu < MIN_MTU || mtu > type.maxMtu())
            {
                violations.addWithoutCode(name, "Mtu", mtu,
                    MIN_MTU + ".." + type.maxMtu() + " for a " + type.awsName() + " target (its load balancer's MTU)");
            }
        }
    }
}

package io.trafficmirror.filter;


import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One traffic mirror filter rule ({@code TrafficMirrorFilterRule}): in one direction, a rule number that
 * orders it, accept or reject, and the packets it matches.
 * <p>
 * A rule matches a packet when the packet is of the rule's IP family, its addresses lie in both CIDR blocks,
 * its protocol equals the rule's (or the rule has none), and, where the rule has port ranges, the packet is
 * TCP or UDP and carries ports inside them. Immutable; build with {@link #builder()}.
 */
public final class FilterRule
{
    /** Lowest rule number, the first evaluated. */
    public static final int MIN_RULE_NUMBER = 1;

    /** Highest rule number. */
    public static final int MAX_RULE_NUMBER = 32766;

    /** Highest IANA protocol number. */
    public static final int MAX_PROTOCOL = 255;

    /** IANA protocol number of TCP. */
    public static final int PROTOCOL_TCP = 6;

    /** IANA protocol number of UDP. */
    public static final int PROTOCOL_UDP = 17;

    /**
     * Fields that {@code ModifyTrafficMirrorFilterRule}'s {@code RemoveFields} resets to their defaults.
     */
    public enum Field implements AwsNamed
    {
        /** Back to no destination port range. */
        DESTINATION_PORT_RANGE("destination-port-range"),

        /** Back to no source port range. */
        SOURCE_PORT_RANGE("source-port-range"),

        /** Back to any protocol. */
        PROTOCOL("protocol"),

        /** Back to no description. */
        DESCRIPTION("description");

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
    private final TrafficDirection direction;
    private final int ruleNumber;
    private final RuleAction action;
    private final Integer protocol;
    private final PortRange sourcePortRange;
    private final PortRange destinationPortRange;
    private final Cidr sourceCidrBlock;
    private final Cidr destinationCidrBlock;
    private final String description;

    private FilterRule(final Builder builder, final Cidr sourceCidrBlock, final Cidr destinationCidrBlock)
    {
        this.id = builder.id;
        this.direction = builder.direction;
        this.ruleNumber = builder.ruleNumber;
        this.action = builder.action;
        this.protocol = builder.protocol;
        this.sourcePortRange = builder.sourceFromPort == null ?
            null : PortRange.of(builder.sourceFromPort, builder.sourceToPort);
        this.destinationPortRange = builder.destinationFromPort == null ?
            null : PortRange.of(builder.destinationFromPort, builder.destinationToPort);
        this.sourceCidrBlock = sourceCidrBlock;
        this.destinationCidrBlock = destinationCidrBlock;
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
     * @return a builder holding this rule's values, to derive a changed rule.
     */
    public Builder toBuilder()
    {
        final Builder builder = new Builder()
            .id(id)
            .direction(direction)
            .ruleNumber(ruleNumber)
            .action(action)
            .sourceCidrBlock(sourceCidrBlock)
            .destinationCidrBlock(destinationCidrBlock)
            .description(description);
        builder.protocol = protocol;
        builder.sourcePortRange(sourcePortRange);
        builder.destinationPortRange(destinationPortRange);
        return builder;
    }

    /**
     * @return the rule id ({@code TrafficMirrorFilterRuleId}), when it has one.
     */
    public Optional<String> id()
    {
        return Optional.ofNullable(id);
    }

    /**
     * @return the id, or a name made of direction and number, for messages.
     */
    public String displayName()
    {
        return displayName(id, direction, ruleNumber);
    }

    /**
     * @return the direction whose packets the rule judges.
     */
    public TrafficDirection direction()
    {
        return direction;
    }

    /**
     * @return the rule number, 1..32766; lower numbers are evaluated first.
     */
    public int ruleNumber()
    {
        return ruleNumber;
    }

    /**
     * @return accept or reject.
     */
    public RuleAction action()
    {
        return action;
    }

    /**
     * @return the IANA protocol number, or empty for every protocol.
     */
    public OptionalInt protocol()
    {
        return protocol == null ? OptionalInt.empty() : OptionalInt.of(protocol);
    }

    /**
     * @return the source port range, when the rule has one (TCP and UDP rules only).
     */
    public Optional<PortRange> sourcePortRange()
    {
        return Optional.ofNullable(sourcePortRange);
    }

    /**
     * @return the destination port range, when the rule has one (TCP and UDP rules only).
     */
    public Optional<PortRange> destinationPortRange()
    {
        return Optional.ofNullable(destinationPortRange);
    }

    /**
     * @return the block the packet's source address must lie in.
     */
    public Cidr sourceCidrBlock()
    {
        return sourceCidrBlock;
    }

    /**
     * @return the block the packet's destination address must lie in.
     */
    public Cidr destinationCidrBlock()
    {
        return destinationCidrBlock;
    }

    /**
     * @return true when the rule's blocks are IPv4; it then never matches an IPv6 packet.
     */
    public boolean isIpv4()
    {
        return sourceCidrBlock.isIpv4();
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
        if (!(o instanceof FilterRule))
        {
            return false;
        }
        final FilterRule that = (FilterRule)o;
        return ruleNumber == that.ruleNumber &&
            Objects.equals(id, that.id) &&
            direction == that.direction &&
            action == that.action &&
            Objects.equals(protocol, that.protocol) &&
            Objects.equals(sourcePortRange, that.sourcePortRange) &&
            Objects.equals(destinationPortRange, that.destinationPortRange) &&
            Objects.equals(sourceCidrBlock, that.sourceCidrBlock) &&
            Objects.equals(destinationCidrBlock, that.destinationCidrBlock) &&
            Objects.equals(description, that.description);
    }

    @Override
    public int hashCode()
    {
        return Objects.hash(id, direction, ruleNumber, action, protocol, sourcePortRange, destinationPortRange,
            sourceCidrBlock, destinationCidrBlock, description);
    }

    @Override
    public String toString()
    {
        return new FieldsText("FilterRule")
            .add("id", id)
            .add("direction", direction)
            .add("ruleNumber", ruleNumber)
            .add("action", action)
            .add("protocol", protocol)
            .add("sourcePortRange", sourcePortRange)
            .add("destinationPortRange", destinationPortRange)
            .add("sourceCidrBlock", sourceCidrBlock)
            .add("destinationCidrBlock", destinationCidrBlock)
            .add("description", description)
            .toString();
    }

    static String displayName(final String id, final TrafficDirection direction, final Integer ruleNumber)
    {
        return id != null ? id : "rule " + direction + "/" + ruleNumber;
    }

    /**
     * Builds a {@link FilterRule}; {@link #build()} checks every field and reports all problems at once.
     */
    public static final class Builder
    {
        private String id;
        private TrafficDirection direction;
        private Integer ruleNumber;
        private RuleAction action;
        private Integer protocol;
        private Integer sourceFromPort;
        private Integer sourceToPort;
        private Integer destinationFromPort;
        private Integer destinationToPort;
        private String sourceCidrBlock;
        private String destinationCidrBlock;
        private String description;

        private Builder()
        {
        }

        /**
         * @param id the rule id, e.g. {@code tmfr-0123456789abcdef0}; optional.
         * @return this.
         */
        public Builder id(final String id)
        {
            this.id = id;
            return this;
        }

        /**
         * @param direction ingress or egress; required.
         * @return this.
         */
        public Builder direction(final TrafficDirection direction)
        {
            this.direction = direction;
            return this;
        }

        /**
         * @param ruleNumber 1..32766, unique in its filter and direction; required.
         * @return this.
         */
        public Builder ruleNumber(final int ruleNumber)
        {
            this.ruleNumber = ruleNumber;
            return this;
        }

        /**
         * @param action accept or reject; required.
         * @return this.
         */
        public Builder action(final RuleAction action)
        {
            this.action = action;
            return this;
        }

        /**
         * @param protocol IANA protocol number 0..255; leave unset for every protocol.
         * @return this.
         */
        public Builder protocol(final int protocol)
        {
            this.protocol = protocol;
            return this;
        }

        /**
         * @param fromPort first source port.
         * @param toPort   last source port.
         * @return this.
         */
        public Builder sourcePortRange(final int fromPort, final int toPort)
        {
            this.sourceFromPort = fromPort;
            this.sourceToPort = toPort;
            return this;
        }

        /**
         * @param range source port range, or {@code null} for none.
         * @return this.
         */
        public Builder sourcePortRange(final PortRange range)
        {
            this.sourceFromPort = range == null ? null : range.fromPort();
            this.sourceToPort = range == null ? null : range.toPort();
            return this;
        }

        /**
         * @param fromPort first destination port.
         * @param toPort   last destination port.
         * @return this.
         */
        public Builder destinationPortRange(final int fromPort, final int toPort)
        {
            this.destinationFromPort = fromPort;
            this.destinationToPort = toPort;
            return this;
        }

        /**
         * @param range destination port range, or {@code null} for none.
         * @return this.
         */
        public Builder destinationPortRange(final PortRange range)
        {
            this.destinationFromPort = range == null ? null : range.fromPort();
            this.destinationToPort = range == null ? null : range.toPort();
            return this;
        }

        /**
         * @param cidrBlock source block, e.g. {@code 0.0.0.0/0}; required.
         * @return this.
         */
        public Builder sourceCidrBlock(final String cidrBlock)
        {
            this.sourceCidrBlock = cidrBlock;
            return this;
        }

        /**
         * @param cidrBlock source block; required.
         * @return this.
         */
        public Builder sourceCidrBlock(final Cidr cidrBlock)
        {
            this.sourceCidrBlock = cidrBlock == null ? null : cidrBlock.toString();
            return this;
        }

        /**
         * @param cidrBlock destination block, e.g. {@code ::/0}; required.
         * @return this.
         */
        public Builder destinationCidrBlock(final String cidrBlock)
        {
            this.destinationCidrBlock = cidrBlock;
            return this;
        }

        /**
         * @param cidrBlock destination block; required.
         * @return this.
         */
        public Builder destinationCidrBlock(final Cidr cidrBlock)
        {
            this.destinationCidrBlock = cidrBlock == null ? null : cidrBlock.toString();
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
                case DESTINATION_PORT_RANGE:
                    return destinationPortRange(null);
                case SOURCE_PORT_RANGE:
                    return sourcePortRange(null);
                case PROTOCOL:
                    protocol = null;
                    return this;
                case DESCRIPTION:
                    return description(null);
                default:
                    throw new IllegalArgumentException(String.valueOf(field));
            }
        }

        /**
         * @return the rule.
         * @throws InvalidConfigurationException listing every problem found.
         */
        public FilterRule build()
        {
            final Violations violations = new Violations();
            final String name = displayName(id, direction, ruleNumber);
            if (id != null)
            {
                violations.checkId(name, "TrafficMirrorFilterRuleId", id);
            }
            violations.checkRequired(name, "TrafficDirection", direction, AwsNamed.allowedNames(TrafficDirection.class));
            if (violations.checkRequired(name, "RuleNumber", ruleNumber, MIN_RULE_NUMBER + ".." + MAX_RULE_NUMBER))
            {
                violations.checkRange(name, "RuleNumber", ruleNumber, MIN_RULE_NUMBER, MAX_RULE_NUMBER);
            }
            violations.checkRequired(name, "RuleAction", action, AwsNamed.allowedNames(RuleAction.class));
            if (protocol != null)
            {
                violations.checkRange(name, "Protocol", protocol, 0, MAX_PROTOCOL);
            }
            checkPorts(violations, name, "SourcePortRange", sourceFromPort, sourceToPort);
            checkPorts(violations, name, "DestinationPortRange", destinationFromPort, destinationToPort);
            final Cidr source = parseCidr(violations, name, "SourceCidrBlock", sourceCidrBlock);
            final Cidr destination = parseCidr(violations, name, "DestinationCidrBlock", destinationCidrBlock);
            if (source != null && destination != null && source.isIpv4() != destination.isIpv4())
            {
                violations.add(Ec2ErrorCode.INVALID_PARAMETER_COMBINATION, name, "DestinationCidrBlock", destination,
                    "an " + (source.isIpv4() ? "IPv4" : "IPv6") + " block, the family of SourceCidrBlock " + source);
            }
            violations.checkDescription(name, description);
            violations.throwIfAny();
            return new FilterRule(this, source, destination);
        }

        private void checkPorts(
            final Violations violations, final String name, final String field, final Integer from, final Integer to)
        {
            if (from == null)
            {
                return;
            }
            PortRange.validate(violations, name, field + ".", from, to);
            if (protocol == null || (protocol != PROTOCOL_TCP && protocol != PROTOCOL_UDP))
            {
                violations.add(Ec2ErrorCode.INVALID_PARAMETER_COMBINATION, name, field,
                    from + "-" + to + " with Protocol " + (protocol == null ? "(any)" : protocol),
                    "port ranges only with Protocol 6 (TCP) or 17 (UDP)");
            }
        }

        private static Cidr parseCidr(final Violations violations, final String name, final String field, final String text)
        {
            if (!violations.checkRequired(name, field, text, "an IPv4 or IPv6 CIDR block, e.g. 10.0.0.0/8 or ::/0"))
            {
                return null;
            }
            final Optional<String> problem = Cidr.problem(text);
            if (problem.isPresent())
            {
                violations.add(Ec2ErrorCode.INVALID_PARAMETER_VALUE, name, field, '"' + Violations.abbreviate(text) + '"',
                    problem.get());
                return null;
            }
            return Cidr.parse(text);
        }
    }
}

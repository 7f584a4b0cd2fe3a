package io.trafficmirror.filter;


import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A traffic mirror filter ({@code TrafficMirrorFilter}): ingress rules, egress rules and network services.
 * <p>
 * Rules are kept sorted by rule number, the order in which they are evaluated; rule numbers are unique
 * per direction. A filter with no rules for a direction mirrors nothing in that direction. Immutable;
 * build with {@link #builder()}.
 */
public final class MirrorFilter
{
    private final String id;
    private final List<FilterRule> ingressRules;
    private final List<FilterRule> egressRules;
    private final Set<NetworkService> networkServices;
    private final String description;

    private MirrorFilter(final Builder builder)
    {
        this.id = builder.id;
        this.ingressRules = sorted(builder.ingressRules);
        this.egressRules = sorted(builder.egressRules);
        this.networkServices = builder.networkServices.isEmpty() ?
            Collections.emptySet() : Collections.unmodifiableSet(EnumSet.copyOf(builder.networkServices));
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
     * @return a builder holding this filter's values.
     */
    public Builder toBuilder()
    {
        final Builder builder = new Builder().id(id).description(description);
        builder.ingressRules.addAll(ingressRules);
        builder.egressRules.addAll(egressRules);
        builder.networkServices.addAll(networkServices);
        return builder;
    }

    /**
     * @return the filter id ({@code TrafficMirrorFilterId}).
     */
    public String id()
    {
        return id;
    }

    /**
     * @return the ingress rules, by ascending rule number.
     */
    public List<FilterRule> ingressRules()
    {
        return ingressRules;
    }

    /**
     * @return the egress rules, by ascending rule number.
     */
    public List<FilterRule> egressRules()
    {
        return egressRules;
    }

    /**
     * @param direction a direction.
     * @return that direction's rules, by ascending rule number.
     */
    public List<FilterRule> rules(final TrafficDirection direction)
    {
        return direction == TrafficDirection.INGRESS ? ingressRules : egressRules;
    }

    /**
     * @return the number of rules of both directions.
     */
    public int ruleCount()
    {
        return ingressRules.size() + egressRules.size();
    }

    /**
     * @param ruleId a rule id.
     * @return the rule of this filter with that id, in either direction.
     */
    public Optional<FilterRule> rule(final String ruleId)
    {
        for (final TrafficDirection direction : TrafficDirection.values())
        {
            for (final FilterRule rule : rules(direction))
            {
                if (rule.id().map(ruleId::equals).orElse(false))
                {
                    return Optional.of(rule);
                }
            }
        }
        return Optional.empty();
    }

    /**
     * @return the network services, e.g. {@code amazon-dns}.
     */
    public Set<NetworkService> networkServices()
    {
        return networkServices;
    }

    /**
     * @param service a service.
     * @return true when the filter names it.
     */
    public boolean hasNetworkService(final NetworkService service)
    {
        return networkServices.contains(service);
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
        if (!(o instanceof MirrorFilter))
        {
            return false;
        }
        final MirrorFilter that = (MirrorFilter)o;
        return Objects.equals(id, that.id) &&
            Objects.equals(ingressRules, that.ingressRules) &&
            Objects.equals(egressRules, that.egressRules) &&
            Objects.equals(networkServices, that.networkServices) &&
            Objects.equals(description, that.description);
    }

    @Override
    public int hashCode()
    {
        return Objects.hash(id, ingressRules, egressRules, networkServices, description);
    }

    @Override
    public String toString()
    {
        return new FieldsText("MirrorFilter")
            .add("id", id)
            .add("ingressRules", ingressRules)
            .add("egressRules", egressRules)
            .add("networkServices", networkServices)
            .add("description", description)
            .toString();
    }

    private static List<FilterRule> sorted(final List<FilterRule> rules)
    {
        final List<FilterRule> copy = new ArrayList<>(rules);
        copy.sort(Comparator.comparingInt(FilterRule::ruleNumber));
        return List.copyOf(copy);
    }

    /**
     * Builds a {@link MirrorFilter}; {@link #build()} reports every problem at once.
     */
    public static final class Builder
    {
        private String id;
        private final List<FilterRule> ingressRules = new ArrayList<>();
        private final List<FilterRule> egressRules = new ArrayList<>();
        private final Set<NetworkService> networkServices = EnumSet.noneOf(NetworkService.class);
        private String description;

        private Builder()
        {
        }

        /**
         * @param id the filter id, e.g. {@code tmf-0123456789abcdef0}; required.
         * @return this.
         */
        public Builder id(final String id)
        {
            this.id = id;
            return this;
        }

        /**
         * Adds a rule to the list of its direction.
         *
         * @param rule the rule.
         * @return this.
         */
        public Builder addRule(final FilterRule rule)
        {
            (rule.direction() == TrafficDirection.INGRESS ? ingressRules : egressRules).add(rule);
            return this;
        }

        /**
         * @param rules rules to add, each to the list of its direction.
         * @return this.
         */
        public Builder addRules(final Iterable<FilterRule> rules)
        {
            rules.forEach(this::addRule);
            return this;
        }

        /**
         * Replaces the ingress rules. Each must have direction ingress.
         *
         * @param rules the rules.
         * @return this.
         */
        public Builder ingressRules(final List<FilterRule> rules)
        {
            ingressRules.clear();
            ingressRules.addAll(rules);
            return this;
        }

        /**
         * Replaces the egress rules. Each must have direction egress.
         *
         * @param rules the rules.
         * @return this.
         */
        public Builder egressRules(final List<FilterRule> rules)
        {
            egressRules.clear();
            egressRules.addAll(rules);
            return this;
        }

        /**
         * Removes the rule with this id from either direction.
         *
         * @param ruleId the rule id.
         * @return this.
         */
        public Builder removeRule(final String ruleId)
        {
            ingressRules.removeIf(rule -> rule.id().map(ruleId::equals).orElse(false));
            egressRules.removeIf(rule -> rule.id().map(ruleId::equals).orElse(false));
            return this;
        }

        /**
         * @param service a network service to add.
         * @return this.
         */
        public Builder addNetworkService(final NetworkService service)
        {
            networkServices.add(Objects.requireNonNull(service, "service"));
            return this;
        }

        /**
         * @param service a network service to remove.
         * @return this.
         */
        public Builder removeNetworkService(final NetworkService service)
        {
            networkServices.remove(service);
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
         * @return the filter.
         * @throws InvalidConfigurationException listing every problem found.
         */
        public MirrorFilter build()
        {
            final Violations violations = new Violations();
            final String name = id == null ? "filter" : id;
            violations.checkId(name, "TrafficMirrorFilterId", id);
            checkRules(violations, name, "IngressFilterRules", ingressRules, TrafficDirection.INGRESS);
            checkRules(violations, name, "EgressFilterRules", egressRules, TrafficDirection.EGRESS);
            violations.checkDescription(name, description);
            violations.throwIfAny();
            return new MirrorFilter(this);
        }

        private static void checkRules(
            final Violations violations,
            final String name,
            final String field,
            final List<FilterRule> rules,
            final TrafficDirection direction)
        {
            final Set<Integer> numbers = new HashSet<>();
            for (int i = 0; i < rules.size(); i++)
            {
                final FilterRule rule = Objects.requireNonNull(rules.get(i), "rule");
                if (rule.direction() != direction)
                {
                    violations.add(Ec2ErrorCode.INVALID_PARAMETER_COMBINATION, name,
                        field + "[" + i + "].TrafficDirection", rule.direction(),
                        direction + " (the direction of " + field + ")");
                }
                if (!numbers.add(rule.ruleNumber()))
                {
                    violations.add(Ec2ErrorCode.TRAFFIC_MIRROR_FILTER_RULE_ALREADY_EXISTS, name,
                        field + "[" + i + "].RuleNumber", rule.ruleNumber(),
                        "a rule number not used by another " + direction + " rule of this filter");
                }
            }
        }
    }
}

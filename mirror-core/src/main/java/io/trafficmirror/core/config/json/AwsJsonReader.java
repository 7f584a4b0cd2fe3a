package io.trafficmirror.core.config.json;

import com.fasterxml.jackson.databind.JsonNode;
import io.trafficmirror.core.config.MirrorConfiguration;
import io.trafficmirror.core.config.MirrorSession;
import io.trafficmirror.core.config.MirrorSource;
import io.trafficmirror.core.config.MirrorTarget;
import io.trafficmirror.core.config.TargetType;
import io.trafficmirror.filter.AwsNamed;
import io.trafficmirror.filter.Cidr;
import io.trafficmirror.filter.Ec2ErrorCode;
import io.trafficmirror.filter.FilterRule;
import io.trafficmirror.filter.InvalidConfigurationException;
import io.trafficmirror.filter.MirrorFilter;
import io.trafficmirror.filter.NetworkService;
import io.trafficmirror.filter.RuleAction;
import io.trafficmirror.filter.TrafficDirection;
import io.trafficmirror.filter.Violation;
import io.trafficmirror.filter.Violations;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;

import static io.trafficmirror.core.config.json.Fields.ASSOCIATED;
import static io.trafficmirror.core.config.json.Fields.CIDR_BLOCK;
import static io.trafficmirror.core.config.json.Fields.CIDR_BLOCK_ASSOCIATIONS;
import static io.trafficmirror.core.config.json.Fields.CIDR_BLOCK_STATE;
import static io.trafficmirror.core.config.json.Fields.DESCRIPTION;
import static io.trafficmirror.core.config.json.Fields.DESTINATION_CIDR;
import static io.trafficmirror.core.config.json.Fields.DESTINATION_PORT_RANGE;
import static io.trafficmirror.core.config.json.Fields.DIRECTION;
import static io.trafficmirror.core.config.json.Fields.EGRESS_RULES;
import static io.trafficmirror.core.config.json.Fields.FILTERS;
import static io.trafficmirror.core.config.json.Fields.FILTER_RULES;
import static io.trafficmirror.core.config.json.Fields.FILTER_ID;
import static io.trafficmirror.core.config.json.Fields.FROM_PORT;
import static io.trafficmirror.core.config.json.Fields.INGRESS_RULES;
import static io.trafficmirror.core.config.json.Fields.IPV6_ADDRESS;
import static io.trafficmirror.core.config.json.Fields.IPV6_ADDRESSES;
import static io.trafficmirror.core.config.json.Fields.IPV6_CIDR_BLOCK;
import static io.trafficmirror.core.config.json.Fields.IPV6_CIDR_BLOCK_ASSOCIATIONS;
import static io.trafficmirror.core.config.json.Fields.IPV6_CIDR_BLOCK_STATE;
import static io.trafficmirror.core.config.json.Fields.MAC_ADDRESS;
import static io.trafficmirror.core.config.json.Fields.MTU;
import static io.trafficmirror.core.config.json.Fields.NETWORK_INTERFACES;
import static io.trafficmirror.core.config.json.Fields.NETWORK_INTERFACE_ID;
import static io.trafficmirror.core.config.json.Fields.NETWORK_SERVICES;
import static io.trafficmirror.core.config.json.Fields.PACKET_LENGTH;
import static io.trafficmirror.core.config.json.Fields.PRIMARY;
import static io.trafficmirror.core.config.json.Fields.PRIVATE_IP_ADDRESS;
import static io.trafficmirror.core.config.json.Fields.PRIVATE_IP_ADDRESSES;
import static io.trafficmirror.core.config.json.Fields.PROTOCOL;
import static io.trafficmirror.core.config.json.Fields.RULE_ACTION;
import static io.trafficmirror.core.config.json.Fields.RULE_ID;
import static io.trafficmirror.core.config.json.Fields.RULE_NUMBER;
import static io.trafficmirror.core.config.json.Fields.SESSIONS;
import static io.trafficmirror.core.config.json.Fields.SESSION_ID;
import static io.trafficmirror.core.config.json.Fields.SESSION_NUMBER;
import static io.trafficmirror.core.config.json.Fields.SOURCE_CIDR;
import static io.trafficmirror.core.config.json.Fields.SOURCE_PORT_RANGE;
import static io.trafficmirror.core.config.json.Fields.STATE;
import static io.trafficmirror.core.config.json.Fields.TARGETS;
import static io.trafficmirror.core.config.json.Fields.TARGET_ID;
import static io.trafficmirror.core.config.json.Fields.TO_PORT;
import static io.trafficmirror.core.config.json.Fields.TYPE;
import static io.trafficmirror.core.config.json.Fields.VNI;
import static io.trafficmirror.core.config.json.Fields.VPCS;
import static io.trafficmirror.core.config.json.Fields.VPC_ID;

/**
 * Turns a parsed JSON tree into a configuration, collecting every problem with its JSON path. One use only.
 * <p>
 * Rules come from the filters' {@code IngressFilterRules} and {@code EgressFilterRules} and from a top-level
 * {@code TrafficMirrorFilterRules} array, as {@code describe-traffic-mirror-filter-rules} prints it, whose rules
 * name their filter and direction. A listed rule equal to one the filter already has is the same rule listed
 * twice and is taken once; a different rule of the same direction and number is refused as EC2 refuses a second
 * such rule. Problems with a value carry {@code InvalidParameterValue} or {@code MissingParameter}; problems
 * with the document's shape (the root, an array that is not one) carry no EC2 error code. No check looks at every
 * object once per object, so the checks take time linear in the number of objects however many are at fault.
 */
final class AwsJsonReader
{
    private final MirrorConfiguration.Builder builder;
    private final Violations violations = new Violations();
    /** Where each object came from, by id, to place the configuration's cross-object violations. */
    private final Map<String, String> pathById = new HashMap<>();

    AwsJsonReader(final MirrorConfiguration.Builder builder)
    {
        this.builder = builder;
    }

    MirrorConfiguration read(final JsonNode root)
    {
        if (root == null || !root.isObject())
        {
            violations.addWithoutCode("document", "(root)", root == null || root.isMissingNode() ? null : kind(root),
                "a JSON object with TrafficMirrorFilters, TrafficMirrorSessions, TrafficMirrorTargets, " +
                "NetworkInterfaces and optionally Vpcs");
            violations.throwIfAny();
        }
        final Map<String, List<String>> vpcBlocks = readVpcs(root);
        final Map<String, List<ListedRule>> listedRules = readListedRules(root);
        forEach(root, "", FILTERS, (node, path) ->
        {
            final String filterId = idOf(node, FILTER_ID);
            final List<ListedRule> listed = filterId == null ? null : listedRules.remove(filterId);
            build(path, filterId, () -> readFilter(node, path, listed == null ? List.of() : listed), builder::addFilter);
        });
        forEach(root, "", TARGETS, (node, path) ->
            build(path, idOf(node, TARGET_ID), () -> readTarget(node, path), builder::addTarget));
        forEach(root, "", SESSIONS, (node, path) ->
            build(path, idOf(node, SESSION_ID), () -> readSession(node, path), builder::addSession));
        forEach(root, "", NETWORK_INTERFACES, (node, path) ->
            build(path, idOf(node, NETWORK_INTERFACE_ID), () -> readSource(node, path, vpcBlocks), builder::addSource));
        violations.throwIfAny();
        try
        {
            return builder.build();
        }
        catch (final InvalidConfigurationException ex)
        {
            final List<Violation> placed = new ArrayList<>();
            for (final Violation violation : ex.violations())
            {
                final String path = pathById.get(violation.objectId());
                placed.add(path == null ? violation : violation.at(path));
            }
            throw new InvalidConfigurationException(placed);
        }
    }

    /** A rule of the top-level {@code TrafficMirrorFilterRules} array and where it is. */
    private static final class ListedRule
    {
        private final JsonNode node;
        private final String path;

        private ListedRule(final JsonNode node, final String path)
        {
            this.node = node;
            this.path = path;
        }
    }

    /**
     * Groups the rules of {@code TrafficMirrorFilterRules} by the filter they name; a rule that names none, or
     * one that {@code TrafficMirrorFilters} does not hold, is reported here.
     */
    private Map<String, List<ListedRule>> readListedRules(final JsonNode root)
    {
        final Set<String> filterIds = new HashSet<>();
        final JsonNode filters = root.get(FILTERS);
        if (filters != null && filters.isArray())
        {
            filters.forEach(filter -> filterIds.add(idOf(filter, FILTER_ID)));
        }
        final Map<String, List<ListedRule>> byFilter = new HashMap<>();
        forEach(root, "", FILTER_RULES, (rule, path) ->
        {
            final String filterId = textOf(rule, path, FILTER_ID, false);
            if (filterId == null)
            {
                if (!rule.hasNonNull(FILTER_ID))
                {
                    violations.add(Ec2ErrorCode.MISSING_PARAMETER, path, path + "." + FILTER_ID, null,
                        "the id of the filter the rule belongs to");
                }
                return;
            }
            if (!filterIds.contains(filterId))
            {
                violations.add(Ec2ErrorCode.INVALID_TRAFFIC_MIRROR_FILTER_NOT_FOUND, path, path + "." + FILTER_ID,
                    '"' + Violations.abbreviate(filterId) + '"', "the id of a filter in TrafficMirrorFilters");
                return;
            }
            byFilter.computeIfAbsent(filterId, k -> new ArrayList<>()).add(new ListedRule(rule, path));
        });
        return byFilter;
    }

    /** The key under which EC2 keeps a filter's rules unique: direction and rule number. */
    private static long ruleKey(final FilterRule rule)
    {
        return ((long)rule.direction().ordinal() << 32) | (rule.ruleNumber() & 0xFFFF_FFFFL);
    }

    private MirrorFilter readFilter(final JsonNode node, final String path, final List<ListedRule> listed)
    {
        final MirrorFilter.Builder filter = MirrorFilter.builder()
            .id(text(node, path, FILTER_ID))
            .description(text(node, path, DESCRIPTION));
        final String filterId = text(node, path, FILTER_ID);
        final int before = violations.size();
        final List<FilterRule> ingress = new ArrayList<>();
        final List<FilterRule> egress = new ArrayList<>();
        forEach(node, path, INGRESS_RULES, (rule, rulePath) -> build(rulePath, null,
            () -> readRule(rule, rulePath, filterId, TrafficDirection.INGRESS), ingress::add));
        forEach(node, path, EGRESS_RULES, (rule, rulePath) -> build(rulePath, null,
            () -> readRule(rule, rulePath, filterId, TrafficDirection.EGRESS), egress::add));
        final List<FilterRule> listedRules = new ArrayList<>(listed.size());
        final List<String> listedPaths = new ArrayList<>(listed.size());
        for (final ListedRule rule : listed)
        {
            build(rule.path, null, () -> readRule(rule.node, rule.path, filterId, null), built ->
            {
                listedRules.add(built);
                listedPaths.add(rule.path);
            });
        }
        forEach(node, path, NETWORK_SERVICES, (service, servicePath) ->
        {
            final NetworkService value = named(service, servicePath, NetworkService.class);
            if (value != null)
            {
                filter.addNetworkService(value);
            }
        });
        if (violations.size() > before)
        {
            // A rule is missing, so indexes into the rule lists no longer match the document: stop here.
            return null;
        }
        if (!mergeListedRules(ingress, egress, listedRules, listedPaths))
        {
            return null;
        }
        return filter.ingressRules(ingress).egressRules(egress).build();
    }

    /**
     * Adds the rules listed on their own to the filter's: one equal to a rule already held is taken once, one
     * that differs from a held rule of its direction and number is refused.
     *
     * @return false when a listed rule was refused.
     */
    private boolean mergeListedRules(
        final List<FilterRule> ingress,
        final List<FilterRule> egress,
        final List<FilterRule> listedRules,
        final List<String> listedPaths)
    {
        if (listedRules.isEmpty())
        {
            return true;
        }
        final Map<Long, FilterRule> held = new HashMap<>();
        ingress.forEach(rule -> held.putIfAbsent(ruleKey(rule), rule));
        egress.forEach(rule -> held.putIfAbsent(ruleKey(rule), rule));
        boolean merged = true;
        for (int i = 0; i < listedRules.size(); i++)
        {
            final FilterRule rule = listedRules.get(i);
            final FilterRule holder = held.putIfAbsent(ruleKey(rule), rule);
            if (holder == null)
            {
                (rule.direction() == TrafficDirection.INGRESS ? ingress : egress).add(rule);
            }
            else if (!holder.equals(rule))
            {
                final String path = listedPaths.get(i);
                violations.add(Ec2ErrorCode.TRAFFIC_MIRROR_FILTER_RULE_ALREADY_EXISTS, path, path + "." + RULE_NUMBER,
                    rule.ruleNumber(), "a rule number no other " + rule.direction() + " rule of the filter has, " +
                    "unless every field is the same (" + holder.id().orElse("the filter's rule") + " has it)");
                merged = false;
            }
        }
        return merged;
    }

    private FilterRule readRule(
        final JsonNode node, final String path, final String filterId, final TrafficDirection listDirection)
    {
        // A hand-written rule may leave TrafficDirection out: the list it is in says it. A rule listed on its own
        // (listDirection null) must say it.
        final TrafficDirection direction = node.has(DIRECTION) ?
            named(node.get(DIRECTION), path + "." + DIRECTION, TrafficDirection.class) : listDirection;
        final FilterRule.Builder rule = FilterRule.builder()
            .id(text(node, path, RULE_ID))
            .direction(direction)
            .action(named(node.get(RULE_ACTION), path + "." + RULE_ACTION, RuleAction.class))
            .sourceCidrBlock(text(node, path, SOURCE_CIDR))
            .destinationCidrBlock(text(node, path, DESTINATION_CIDR))
            .description(text(node, path, DESCRIPTION));
        ifPresent(integer(node, path, RULE_NUMBER), rule::ruleNumber);
        ifPresent(integer(node, path, PROTOCOL), rule::protocol);
        readPorts(node, path, SOURCE_PORT_RANGE, rule::sourcePortRange);
        readPorts(node, path, DESTINATION_PORT_RANGE, rule::destinationPortRange);
        final String ownerId = text(node, path, FILTER_ID);
        if (ownerId != null && filterId != null && !ownerId.equals(filterId))
        {
            violations.add(Ec2ErrorCode.INVALID_PARAMETER_COMBINATION, filterId, path + "." + FILTER_ID, ownerId,
                "the id of the filter holding the rule");
        }
        return rule.build();
    }

    private interface PortRangeSetter
    {
        void set(int from, int to);
    }

    private void readPorts(final JsonNode node, final String path, final String field, final PortRangeSetter setter)
    {
        final JsonNode range = node.get(field);
        if (range == null || range.isNull())
        {
            return;
        }
        final String rangePath = path + "." + field;
        if (!range.isObject())
        {
            violations.add(Ec2ErrorCode.INVALID_PARAMETER_VALUE, rangePath, rangePath, kind(range),
                "an object with FromPort and ToPort");
            return;
        }
        final Integer from = integer(range, rangePath, FROM_PORT);
        final Integer to = integer(range, rangePath, TO_PORT);
        if (from == null || to == null)
        {
            for (final String port : new String[]{FROM_PORT, TO_PORT})
            {
                if (!range.hasNonNull(port))
                {
                    violations.add(Ec2ErrorCode.MISSING_PARAMETER, rangePath, rangePath + "." + port, null, "a port, 0..65535");
                }
            }
            return;
        }
        setter.set(from, to);
    }

    private MirrorTarget readTarget(final JsonNode node, final String path)
    {
        final MirrorTarget.Builder target = MirrorTarget.builder()
            .id(text(node, path, TARGET_ID))
            .description(text(node, path, DESCRIPTION));
        TargetType type = named(node.get(TYPE), path + "." + TYPE, TargetType.class);
        if (type == null && !node.has(TYPE))
        {
            // Type absent: the one resource member present says what the target is.
            for (final TargetType candidate : TargetType.values())
            {
                if (node.has(candidate.resourceField()))
                {
                    type = candidate;
                }
            }
        }
        target.type(type);
        if (type != null)
        {
            target.resourceId(text(node, path, type.resourceField()));
        }
        ifPresent(integer(node, path, MTU), target::mtu);
        return target.build();
    }

    private MirrorSession readSession(final JsonNode node, final String path)
    {
        final MirrorSession.Builder session = MirrorSession.builder()
            .id(text(node, path, SESSION_ID))
            .networkInterfaceId(text(node, path, NETWORK_INTERFACE_ID))
            .targetId(text(node, path, TARGET_ID))
            .filterId(text(node, path, FILTER_ID))
            .description(text(node, path, DESCRIPTION));
        ifPresent(integer(node, path, SESSION_NUMBER), session::sessionNumber);
        ifPresent(integer(node, path, VNI), session::virtualNetworkId);
        ifPresent(integer(node, path, PACKET_LENGTH), session::packetLength);
        return session.build();
    }

    private MirrorSource readSource(final JsonNode node, final String path, final Map<String, List<String>> vpcBlocks)
    {
        final String vpcId = text(node, path, VPC_ID);
        final MirrorSource.Builder source = MirrorSource.builder()
            .networkInterfaceId(text(node, path, NETWORK_INTERFACE_ID))
            .macAddress(text(node, path, MAC_ADDRESS))
            .privateIpAddress(text(node, path, PRIVATE_IP_ADDRESS))
            .vpcId(vpcId);
        forEach(node, path, PRIVATE_IP_ADDRESSES, (entry, entryPath) ->
        {
            final String address = textOf(entry, entryPath, PRIVATE_IP_ADDRESS, true);
            if (address != null)
            {
                source.addPrivateIpAddress(address);
            }
            if (!node.has(PRIVATE_IP_ADDRESS) && entry.path(PRIMARY).asBoolean(false) && address != null)
            {
                source.privateIpAddress(address);
            }
        });
        forEach(node, path, IPV6_ADDRESSES, (entry, entryPath) ->
        {
            final String address = textOf(entry, entryPath, IPV6_ADDRESS, true);
            if (address != null)
            {
                source.addIpv6Address(address);
            }
        });
        if (vpcId != null)
        {
            vpcBlocks.getOrDefault(vpcId, List.of()).forEach(source::addVpcCidrBlock);
        }
        return source.build();
    }

    /**
     * Reads the optional {@code Vpcs} array into the valid CIDR blocks of each VPC, the primary IPv4 block first.
     */
    private Map<String, List<String>> readVpcs(final JsonNode root)
    {
        final Map<String, List<String>> blocksByVpc = new LinkedHashMap<>();
        forEach(root, "", VPCS, (vpc, path) ->
        {
            final String vpcId = textOf(vpc, path, VPC_ID, true);
            final Set<String> blocks = new LinkedHashSet<>();
            addBlock(blocks, vpc, path, CIDR_BLOCK);
            forEach(vpc, path, CIDR_BLOCK_ASSOCIATIONS, (association, associationPath) ->
            {
                if (isAssociated(association, CIDR_BLOCK_STATE))
                {
                    addBlock(blocks, association, associationPath, CIDR_BLOCK);
                }
            });
            forEach(vpc, path, IPV6_CIDR_BLOCK_ASSOCIATIONS, (association, associationPath) ->
            {
                if (isAssociated(association, IPV6_CIDR_BLOCK_STATE))
                {
                    addBlock(blocks, association, associationPath, IPV6_CIDR_BLOCK);
                }
            });
            final long ipv6 = blocks.stream().filter(block -> block.indexOf(':') >= 0).count();
            final long ipv4 = blocks.size() - ipv6;
            final int most = MirrorSource.MAX_VPC_CIDR_BLOCKS_PER_FAMILY;
            if (ipv4 > most || ipv6 > most)
            {
                // Said once for the VPC, and its blocks dropped, rather than copied into each of its interfaces.
                violations.addWithoutCode(vpcId == null ? path : vpcId, path, ipv4 + " IPv4 and " + ipv6 + " IPv6 blocks",
                    "at most " + most + " blocks of each family (the VPC quota's maximum)");
                blocks.clear();
            }
            if (vpcId != null && blocksByVpc.putIfAbsent(vpcId, List.copyOf(blocks)) != null)
            {
                violations.addWithoutCode(vpcId, path + "." + VPC_ID, vpcId, "a VPC listed once in Vpcs");
            }
        });
        return blocksByVpc;
    }

    private static boolean isAssociated(final JsonNode association, final String stateField)
    {
        final JsonNode state = association.path(stateField).path(STATE);
        return state.isMissingNode() || ASSOCIATED.equals(state.asText());
    }

    private void addBlock(final Set<String> blocks, final JsonNode node, final String path, final String field)
    {
        final String text = text(node, path, field);
        if (text == null)
        {
            return;
        }
        final Optional<String> problem = Cidr.problem(text);
        if (problem.isPresent())
        {
            violations.add(Ec2ErrorCode.INVALID_PARAMETER_VALUE, path, path + "." + field,
                '"' + Violations.abbreviate(text) + '"', problem.get());
            return;
        }
        blocks.add(Cidr.parse(text).toString());
    }

    private interface ElementReader
    {
        void read(JsonNode element, String path);
    }

    /**
     * Visits each element of an array member; a missing member is an empty array unless it is required.
     */
    private void forEach(final JsonNode parent, final String parentPath, final String field, final ElementReader reader)
    {
        final JsonNode array = parent.get(field);
        final String base = parentPath.isEmpty() ? field : parentPath + "." + field;
        if (array == null || array.isNull())
        {
            return;
        }
        if (!array.isArray())
        {
            violations.addWithoutCode(base, base, kind(array), "an array");
            return;
        }
        for (int i = 0; i < array.size(); i++)
        {
            final JsonNode element = array.get(i);
            final String path = base + "[" + i + "]";
            if (element.isObject() || (element.isTextual() && NETWORK_SERVICES.equals(field)))
            {
                reader.read(element, path);
            }
            else
            {
                violations.addWithoutCode(path, path, kind(element), NETWORK_SERVICES.equals(field) ? "a string" : "an object");
            }
        }
    }

    /**
     * Builds one object, recording its path; its violations are placed under that path and collected, except
     * those about a field already reported while reading (a mistyped field is not also reported missing).
     */
    private <T> void build(final String path, final String id, final Supplier<T> reader, final Consumer<T> sink)
    {
        if (id != null)
        {
            pathById.putIfAbsent(id, path);
        }
        try
        {
            final T built = reader.get();
            if (built != null)
            {
                sink.accept(built);
            }
        }
        catch (final InvalidConfigurationException ex)
        {
            for (final Violation violation : ex.violations())
            {
                final Violation placed = violation.at(path);
                if (!violations.hasField(placed.field()))
                {
                    violations.add(placed);
                }
            }
        }
    }

    private String idOf(final JsonNode node, final String field)
    {
        final JsonNode id = node.get(field);
        return id != null && id.isTextual() ? id.asText() : null;
    }

    private String text(final JsonNode node, final String path, final String field)
    {
        return textOf(node, path, field, false);
    }

    private String textOf(final JsonNode node, final String path, final String field, final boolean required)
    {
        final JsonNode value = node.get(field);
        if (value == null || value.isNull())
        {
            if (required)
            {
                violations.add(Ec2ErrorCode.MISSING_PARAMETER, path, path + "." + field, null, "a string");
            }
            return null;
        }
        if (!value.isTextual())
        {
            violations.add(Ec2ErrorCode.INVALID_PARAMETER_VALUE, path, path + "." + field, kind(value), "a string");
            return null;
        }
        return value.asText();
    }

    private Integer integer(final JsonNode node, final String path, final String field)
    {
        final JsonNode value = node.get(field);
        if (value == null || value.isNull())
        {
            return null;
        }
        if (!value.isIntegralNumber() || !value.canConvertToInt())
        {
            violations.add(Ec2ErrorCode.INVALID_PARAMETER_VALUE, path, path + "." + field, kind(value), "an integer");
            return null;
        }
        return value.intValue();
    }

    private <E extends Enum<E> & AwsNamed> E named(final JsonNode value, final String path, final Class<E> type)
    {
        if (value == null || value.isNull())
        {
            return null;
        }
        if (value.isTextual())
        {
            final E found = AwsNamed.fromAwsName(type, value.asText()).orElse(null);
            if (found != null)
            {
                return found;
            }
        }
        violations.add(Ec2ErrorCode.INVALID_PARAMETER_VALUE, path, path, kind(value), AwsNamed.allowedNames(type));
        return null;
    }

    private static <T> void ifPresent(final T value, final Consumer<T> setter)
    {
        if (value != null)
        {
            setter.accept(value);
        }
    }

    /**
     * Shows a bad value: strings quoted, numbers as they are, containers by kind.
     */
    private static String kind(final JsonNode value)
    {
        if (value.isTextual())
        {
            return '"' + Violations.abbreviate(value.asText()) + '"';
        }
        if (value.isObject())
        {
            return "(an object)";
        }
        if (value.isArray())
        {
            return "(an array)";
        }
        return Violations.abbreviate(value.toString());
    }
}

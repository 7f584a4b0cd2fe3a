package io.trafficmirror.core.config.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trafficmirror.core.config.MirrorConfiguration;
import io.trafficmirror.filter.InvalidConfigurationException;
import io.trafficmirror.filter.Violation;
import io.trafficmirror.filter.Violations;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.trafficmirror.core.config.json.Fields.FILTERS;
import static io.trafficmirror.core.config.json.Fields.FILTER_ID;
import static io.trafficmirror.core.config.json.Fields.FILTER_RULES;
import static io.trafficmirror.core.config.json.Fields.NETWORK_INTERFACES;
import static io.trafficmirror.core.config.json.Fields.NETWORK_INTERFACE_ID;
import static io.trafficmirror.core.config.json.Fields.RULE_ID;
import static io.trafficmirror.core.config.json.Fields.SESSIONS;
import static io.trafficmirror.core.config.json.Fields.SESSION_ID;
import static io.trafficmirror.core.config.json.Fields.TARGETS;
import static io.trafficmirror.core.config.json.Fields.TARGET_ID;
import static io.trafficmirror.core.config.json.Fields.VPCS;
import static io.trafficmirror.core.config.json.Fields.VPC_ID;

/**
 * Reads one configuration from several documents, AWS JSON or {@code terraform show -json}, in order: their arrays
 * are joined into one AWS-shaped document, which {@link AwsJsonReader} checks as a whole, so a session of one
 * document may name a filter or an interface of another. An id that two documents both define is a conflict,
 * reported naming both. Violations are then put back where their objects came from: the file's name, and the JSON
 * path within it or the Terraform address and attribute. One use only.
 */
final class MergedDocuments
{
    /** The arrays joined, each with the member holding its objects' ids. */
    private static final String[][] ARRAYS = {
        {FILTERS, FILTER_ID}, {FILTER_RULES, RULE_ID}, {TARGETS, TARGET_ID}, {SESSIONS, SESSION_ID},
        {NETWORK_INTERFACES, NETWORK_INTERFACE_ID}, {VPCS, VPC_ID}};

    /** One document and how violations name it: its file's name and a colon, or nothing when it is alone. */
    static final class Document
    {
        private final String label;
        private final JsonNode root;

        Document(final String label, final JsonNode root)
        {
            this.label = label;
            this.root = root;
        }
    }

    /** Where an object of the joined document came from. */
    private static final class Origin
    {
        private final String label;
        /** Its path in its own document, or its Terraform address. */
        private final String location;
        private final boolean terraform;
        /** The member holding the object's own id, which Terraform calls {@code id}. */
        private final String idMember;

        private Origin(final String label, final String location, final boolean terraform, final String idMember)
        {
            this.label = label;
            this.location = location;
            this.terraform = terraform;
            this.idMember = idMember;
        }

        private String named()
        {
            return label + location;
        }
    }

    private final Violations violations = new Violations();
    private final Violations conflicts = new Violations();
    private final Map<String, Origin> originByPath = new HashMap<>();
    /** Ids given to objects a plan creates: their addresses, named with their file's label in violations. */
    private final Map<String, String> labelByAddress = new HashMap<>();

    MirrorConfiguration read(final List<Document> documents, final MirrorConfiguration.Builder builder)
    {
        final ObjectNode joined = JsonNodeFactory.instance.objectNode();
        final Map<String, Origin> originById = new HashMap<>();
        for (final Document document : documents)
        {
            final boolean terraform = TerraformJsonReader.isTerraform(document.root);
            final JsonNode shaped;
            final Map<String, String> addresses;
            if (terraform)
            {
                final TerraformJsonReader reader = new TerraformJsonReader(document.label, violations);
                shaped = reader.read(document.root);
                addresses = reader.addresses();
                addresses.values().forEach(address -> labelByAddress.put(address, document.label));
            }
            else if (document.root == null || !document.root.isObject())
            {
                violations.addWithoutCode(document.label + "document", document.label + "(root)", null,
                    "a JSON object: AWS JSON or the output of terraform show -json");
                continue;
            }
            else
            {
                shaped = document.root;
                addresses = Map.of();
            }
            for (final String[] array : ARRAYS)
            {
                join(joined, shaped, array[0], array[1], document.label, terraform, addresses, originById);
            }
        }
        if (!conflicts.isEmpty())
        {
            // Objects defined twice make every later check about them doubtful: say only that.
            violations.addAll(conflicts.toList());
            violations.throwIfAny();
        }
        try
        {
            final MirrorConfiguration configuration = new AwsJsonReader(builder).read(joined);
            violations.throwIfAny();
            return configuration;
        }
        catch (final InvalidConfigurationException ex)
        {
            // A field already reported while turning Terraform into the AWS shape is not also reported missing.
            final List<Violation> placed = new ArrayList<>(violations.toList());
            for (final Violation violation : ex.violations())
            {
                final Violation here = place(violation);
                if (!violations.hasField(here.field()))
                {
                    placed.add(here);
                }
            }
            throw new InvalidConfigurationException(placed);
        }
    }

    private void join(
        final ObjectNode joined,
        final JsonNode document,
        final String name,
        final String idMember,
        final String label,
        final boolean terraform,
        final Map<String, String> addresses,
        final Map<String, Origin> originById)
    {
        final JsonNode elements = document.get(name);
        if (elements == null || elements.isNull())
        {
            return;
        }
        if (!elements.isArray())
        {
            violations.addWithoutCode(label + name, label + name, elements.isObject() ? "(an object)" :
                Violations.abbreviate(elements.toString()), "an array");
            return;
        }
        ArrayNode into = (ArrayNode)joined.get(name);
        if (into == null)
        {
            into = joined.putArray(name);
        }
        for (int i = 0; i < elements.size(); i++)
        {
            final String own = name + "[" + i + "]";
            final Origin origin = new Origin(label, terraform ? addresses.get(own) : own, terraform, idMember);
            final JsonNode element = elements.get(i);
            final JsonNode id = element.get(idMember);
            if (id != null && id.isTextual())
            {
                final Origin first = originById.putIfAbsent(name + ' ' + id.asText(), origin);
                if (first != null && !first.label.equals(label))
                {
                    conflicts.addWithoutCode(id.asText(), origin.named() + "." + attribute(origin, idMember),
                        '"' + Violations.abbreviate(id.asText()) + '"',
                        "an id that one document defines (" + first.named() + " has it)");
                }
            }
            originByPath.put(name + "[" + into.size() + "]", origin);
            into.add(element);
        }
    }

    private static String attribute(final Origin origin, final String member)
    {
        if (!origin.terraform)
        {
            return member;
        }
        return member.equals(origin.idMember) ? "id" : TerraformJsonReader.ATTRIBUTES.getOrDefault(member, member);
    }

    /**
     * @return the violation with its path in the joined document replaced by where its object came from.
     */
    private Violation place(final Violation violation)
    {
        final String field = relocate(violation.field());
        String objectId = relocate(violation.objectId());
        final String label = labelByAddress.get(objectId);
        if (label != null)
        {
            objectId = label + objectId;
        }
        return violation.errorCode().isPresent() ?
            Violation.of(violation.errorCode().get(), objectId, field, violation.value(), violation.allowed()) :
            Violation.of(objectId, field, violation.value(), violation.allowed());
    }

    private String relocate(final String path)
    {
        final int close = path.indexOf(']');
        final Origin origin = close < 0 ? null : originByPath.get(path.substring(0, close + 1));
        if (origin == null)
        {
            return path;
        }
        final String rest = path.substring(close + 1);
        if (!origin.terraform || rest.isEmpty())
        {
            return origin.named() + rest;
        }
        final StringBuilder named = new StringBuilder(origin.named());
        for (final String segment : rest.substring(1).split("\\."))
        {
            final int bracket = segment.indexOf('[');
            final String member = bracket < 0 ? segment : segment.substring(0, bracket);
            named.append('.').append(attribute(origin, member)).append(bracket < 0 ? "" : segment.substring(bracket));
        }
        return named.toString();
    }
}

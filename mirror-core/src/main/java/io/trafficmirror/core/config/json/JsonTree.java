package io.trafficmirror.core.config.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;

/**
 * Builds a document's tree from Jackson's streaming parser, without an {@code ObjectMapper}: the same nodes the
 * mapper's {@code readTree} makes (ints, longs and big integers by size, floating point as doubles, a missing node
 * for an empty document), the same parser checks (duplicate names, nesting depth, string and number lengths, no
 * NaN), and trailing content refused. A command that only reads a configuration starts without loading the
 * mapper's data-binding machinery.
 */
final class JsonTree
{
    private final JsonFactory factory;

    JsonTree(final int maxNestingDepth, final int maxStringLength, final int maxNumberLength)
    {
        this.factory = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(maxNestingDepth)
                .maxStringLength(maxStringLength)
                .maxNumberLength(maxNumberLength)
                .build())
            .build();
    }

    /**
     * @return the document's root, or a missing node when it holds no value.
     * @throws JsonParseException when it is not well-formed JSON or has content after its value.
     * @throws IOException        when the parser fails otherwise.
     */
    JsonNode read(final byte[] document) throws IOException
    {
        try (JsonParser parser = factory.createParser(document))
        {
            final JsonToken first = parser.nextToken();
            if (first == null)
            {
                return MissingNode.getInstance();
            }
            final JsonNode root = value(parser, first);
            final JsonToken trailing = parser.nextToken();
            if (trailing != null)
            {
                throw new JsonParseException(parser,
                    "Trailing token (of type " + trailing + ") found after the document's value: not allowed",
                    parser.currentTokenLocation());
            }
            return root;
        }
    }

    private static JsonNode value(final JsonParser parser, final JsonToken token) throws IOException
    {
        final JsonNodeFactory nodes = JsonNodeFactory.instance;
        switch (token)
        {
            case START_OBJECT:
                final ObjectNode object = nodes.objectNode();
                for (JsonToken next = parser.nextToken(); next != JsonToken.END_OBJECT; next = parser.nextToken())
                {
                    final String name = parser.currentName();
                    object.set(name, value(parser, parser.nextToken()));
                }
                return object;

            case START_ARRAY:
                final ArrayNode array = nodes.arrayNode();
                for (JsonToken next = parser.nextToken(); next != JsonToken.END_ARRAY; next = parser.nextToken())
                {
                    array.add(value(parser, next));
                }
                return array;

            case VALUE_STRING:
                return nodes.textNode(parser.getText());

            case VALUE_NUMBER_INT:
                switch (parser.getNumberType())
                {
                    case INT:
                        return nodes.numberNode(parser.getIntValue());
                    case LONG:
                        return nodes.numberNode(parser.getLongValue());
                    default:
                        return nodes.numberNode(parser.getBigIntegerValue());
                }

            case VALUE_NUMBER_FLOAT:
                return nodes.numberNode(parser.getDoubleValue());

            case VALUE_TRUE:
                return nodes.booleanNode(true);

            case VALUE_FALSE:
                return nodes.booleanNode(false);

            case VALUE_NULL:
                return nodes.nullNode();

            default:
                throw new JsonParseException(parser, "Unexpected token " + token);
        }
    }
}

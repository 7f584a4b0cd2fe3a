package io.trafficmirror.core.config.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.trafficmirror.core.config.MirrorConfiguration;
import io.trafficmirror.core.config.Quotas;
import io.trafficmirror.filter.InvalidConfigurationException;
import io.trafficmirror.filter.Violations;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Reads and writes a {@link MirrorConfiguration} as one JSON document whose arrays have the names and element
 * shapes of the AWS CLI's describe outputs: {@code TrafficMirrorFilters}, {@code TrafficMirrorSessions},
 * {@code TrafficMirrorTargets}, {@code NetworkInterfaces} and, optionally, {@code Vpcs}. The output of
 * {@code aws ec2 describe-...} merged with {@code jq -s add} loads as it is: members this library does not use
 * ({@code OwnerId}, {@code Tags}, {@code State}, …) are ignored.
 * <p>
 * Every problem with a document is reported by one {@link InvalidConfigurationException}: malformed JSON with
 * its line and column, a document over the size cap, and every missing, mistyped or invalid field with its
 * JSON path, e.g. {@code TrafficMirrorFilters[0].IngressFilterRules[2].RuleNumber}. Checks that span objects
 * (references, uniqueness, quotas) run once every object is valid on its own. Reading never resolves host
 * names, caps nesting depth and string length, and never hangs on a bad document.
 * <p>
 * The output of {@code terraform show -json}, for a state or a plan, is read too, its objects named by their
 * Terraform addresses in violations; several documents of either kind are read as one with {@link #read(List)}.
 * <p>
 * Instances are immutable and thread-safe.
 */
public final class AwsJsonConfiguration
{
    /** Default cap on a document's size: 16 MiB. */
    public static final int DEFAULT_MAX_DOCUMENT_BYTES = 16 * 1024 * 1024;

    /** Deepest nesting a document may have; AWS documents need fewer than 10 levels. */
    static final int MAX_NESTING_DEPTH = 64;

    private static final AwsJsonConfiguration DEFAULTS =
        new AwsJsonConfiguration(DEFAULT_MAX_DOCUMENT_BYTES, Quotas.aws(), null);

    private final int maxDocumentBytes;
    private final Quotas quotas;
    private final Long vniSeed;
    private final JsonTree tree;
    /** Made on the first write: reading needs only the streaming parser. */
    private volatile ObjectMapper mapper;

    private AwsJsonConfiguration(final int maxDocumentBytes, final Quotas quotas, final Long vniSeed)
    {
        this.maxDocumentBytes = maxDocumentBytes;
        this.quotas = quotas;
        this.vniSeed = vniSeed;
        this.tree = new JsonTree(MAX_NESTING_DEPTH, maxDocumentBytes, 64);
    }

    private ObjectMapper mapper()
    {
        ObjectMapper made = mapper;
        if (made == null)
        {
            made = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
            mapper = made;
        }
        return made;
    }

    /**
     * @return a reader and writer with AWS quotas and a {@value #DEFAULT_MAX_DOCUMENT_BYTES}-byte cap.
     */
    public static AwsJsonConfiguration defaults()
    {
        return DEFAULTS;
    }

    /**
     * @param maxDocumentBytes the largest document accepted, at least 2 bytes.
     * @return a copy with that cap.
     */
    public AwsJsonConfiguration withMaxDocumentBytes(final int maxDocumentBytes)
    {
        final Violations violations = Violations.withoutErrorCodes();
        violations.checkRange("reader", "maxDocumentBytes", maxDocumentBytes, 2, Integer.MAX_VALUE - 8);
        violations.throwIfAny();
        return new AwsJsonConfiguration(maxDocumentBytes, quotas, vniSeed);
    }

    /**
     * @param quotas the policy configurations are checked against.
     * @return a copy with that policy.
     */
    public AwsJsonConfiguration withQuotas(final Quotas quotas)
    {
        return new AwsJsonConfiguration(maxDocumentBytes, Objects.requireNonNull(quotas, "quotas"), vniSeed);
    }

    /**
     * @param vniSeed the seed from which VNIs missing in a document are drawn, for repeatable results.
     * @return a copy with that seed.
     */
    public AwsJsonConfiguration withVniSeed(final long vniSeed)
    {
        return new AwsJsonConfiguration(maxDocumentBytes, quotas, vniSeed);
    }

    /**
     * @return the largest document accepted, in bytes.
     */
    public int maxDocumentBytes()
    {
        return maxDocumentBytes;
    }

    /**
     * Reads a document from a file.
     *
     * @param file the file.
     * @return the validated configuration.
     * @throws IOException                   when the file cannot be read.
     * @throws InvalidConfigurationException listing every problem with the document.
     */
    public MirrorConfiguration read(final Path file) throws IOException
    {
        final long size = Files.size(file);
        if (size > maxDocumentBytes)
        {
            throw tooLarge(size + " bytes");
        }
        try (InputStream in = Files.newInputStream(file))
        {
            return read(in);
        }
    }

    /**
     * Reads a document from a stream, reading at most one byte past the cap.
     *
     * @param in the stream; not closed.
     * @return the validated configuration.
     * @throws IOException                   when the stream cannot be read.
     * @throws InvalidConfigurationException listing every problem with the document.
     */
    public MirrorConfiguration read(final InputStream in) throws IOException
    {
        final byte[] document = in.readNBytes(maxDocumentBytes + 1);
        if (document.length > maxDocumentBytes)
        {
            throw tooLarge("more than " + maxDocumentBytes + " bytes");
        }
        return read(document);
    }

    /**
     * Reads a document held in a string.
     *
     * @param json the document.
     * @return the validated configuration.
     * @throws InvalidConfigurationException listing every problem with the document.
     */
    public MirrorConfiguration read(final String json)
    {
        final byte[] document = json.getBytes(StandardCharsets.UTF_8);
        if (document.length > maxDocumentBytes)
        {
            throw tooLarge(document.length + " bytes");
        }
        return read(document);
    }

    /**
     * Writes a configuration as an indented document that {@link #read(String)} reads back to an equal one.
     *
     * @param configuration the configuration.
     * @return the document.
     */
    public String write(final MirrorConfiguration configuration)
    {
        try
        {
            final ObjectMapper writer = mapper();
            return writer.writeValueAsString(new AwsJsonWriter(writer).write(configuration)) + System.lineSeparator();
        }
        catch (final JsonProcessingException ex)
        {
            throw new IllegalStateException("a tree of strings and numbers always serializes", ex);
        }
    }

    /**
     * Writes a configuration to a file, replacing it.
     *
     * @param configuration the configuration.
     * @param file          the file.
     * @throws IOException when the file cannot be written.
     */
    public void write(final MirrorConfiguration configuration, final Path file) throws IOException
    {
        Files.writeString(file, write(configuration), StandardCharsets.UTF_8);
    }

    /**
     * Reads several documents as one configuration, in order: each is AWS JSON or the output of
     * {@code terraform show -json}, and their objects are joined, so network interfaces may come from
     * {@code aws ec2 describe-network-interfaces} and the mirroring from a Terraform plan. An id that two
     * documents define is a conflict. Violations name the file, then the JSON path or the Terraform address and
     * attribute. One file reads as {@link #read(Path)} does, with the same messages.
     *
     * @param files the files, at least one.
     * @return the validated configuration.
     * @throws IOException                   when a file cannot be read.
     * @throws InvalidConfigurationException listing every problem with the documents.
     */
    public MirrorConfiguration read(final List<Path> files) throws IOException
    {
        if (files.isEmpty())
        {
            throw new IllegalArgumentException("no configuration file");
        }
        if (files.size() == 1)
        {
            return read(files.get(0));
        }
        final List<MergedDocuments.Document> documents = new ArrayList<>(files.size());
        for (final Path file : files)
        {
            final long size = Files.size(file);
            if (size > maxDocumentBytes)
            {
                throw tooLarge(file + ": " + size + " bytes");
            }
            final byte[] document;
            try (InputStream in = Files.newInputStream(file))
            {
                document = in.readNBytes(maxDocumentBytes + 1);
            }
            if (document.length > maxDocumentBytes)
            {
                throw tooLarge(file + ": more than " + maxDocumentBytes + " bytes");
            }
            documents.add(new MergedDocuments.Document(file + ":", parse(document, file + ":")));
        }
        return new MergedDocuments().read(documents, builder());
    }

    private MirrorConfiguration read(final byte[] document)
    {
        final JsonNode root = parse(document, "");
        if (TerraformJsonReader.isTerraform(root))
        {
            return new MergedDocuments().read(List.of(new MergedDocuments.Document("", root)), builder());
        }
        return new AwsJsonReader(builder()).read(root);
    }

    private JsonNode parse(final byte[] document, final String label)
    {
        try
        {
            return tree.read(document);
        }
        catch (final JsonProcessingException ex)
        {
            final String where = ex.getLocation() == null ? "document" :
                "line " + ex.getLocation().getLineNr() + ", column " + ex.getLocation().getColumnNr();
            throw new InvalidConfigurationException(Violations.withoutErrorCodes()
                .addWithoutCode(label + "document", label + where, firstLine(ex.getOriginalMessage()), "well-formed JSON")
                .toList());
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("reading from memory does not fail", ex);
        }
    }

    private MirrorConfiguration.Builder builder()
    {
        final MirrorConfiguration.Builder builder = MirrorConfiguration.builder().quotas(quotas);
        if (vniSeed != null)
        {
            builder.vniSeed(vniSeed);
        }
        return builder;
    }

    private static String firstLine(final String message)
    {
        final int newline = message.indexOf('\n');
        final String line = newline < 0 ? message : message.substring(0, newline);
        return line.length() <= 200 ? line : line.substring(0, 197) + "...";
    }

    private InvalidConfigurationException tooLarge(final String size)
    {
        return new InvalidConfigurationException(Violations.withoutErrorCodes()
            .addWithoutCode("document", "size", size, "at most " + maxDocumentBytes + " bytes (see withMaxDocumentBytes)")
            .toList());
    }
}

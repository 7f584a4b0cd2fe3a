package io.trafficmirror.filter;

import java.io.Serializable;
import java.util.Objects;

/**
 * One problem with a configuration: which object, which field, the bad value and what is allowed.
 * <p>
 * Field names are the EC2 API names ({@code RuleNumber}, {@code SourceCidrBlock}, …) so that a message
 * reads the same whether the object came from the builder API or from an AWS JSON document, where the
 * field is prefixed with its JSON path ({@code TrafficMirrorFilters[0].IngressFilterRules[2].RuleNumber}).
 */
public final class Violation implements Serializable
{
    private static final long serialVersionUID = 1L;

    private final String objectId;
    private final String field;
    private final String value;
    private final String allowed;

    private Violation(final String objectId, final String field, final String value, final String allowed)
    {
        this.objectId = Objects.requireNonNull(objectId, "objectId");
        this.field = Objects.requireNonNull(field, "field");
        this.value = Objects.requireNonNull(value, "value");
        this.allowed = Objects.requireNonNull(allowed, "allowed");
    }

    /**
     * A violation.
     *
     * @param objectId the id of the object at fault, or where it has none a description of where it is.
     * @param field    the field at fault, by its EC2 API name or JSON path.
     * @param value    the offending value as given, {@code null} when the field is missing.
     * @param allowed  what would have been accepted.
     * @return the violation.
     */
    public static Violation of(final String objectId, final String field, final Object value, final String allowed)
    {
        return new Violation(objectId, field, value == null ? "(missing)" : String.valueOf(value), allowed);
    }

    /**
     * @return the id of the object at fault.
     */
    public String objectId()
    {
        return objectId;
    }

    /**
     * @return the field at fault.
     */
    public String field()
    {
        return field;
    }

    /**
     * @return the offending value, or {@code (missing)}.
     */
    public String value()
    {
        return value;
    }

    /**
     * @return what would have been accepted.
     */
    public String allowed()
    {
        return allowed;
    }

    /**
     * The same violation with its field placed under a location, e.g. a JSON path.
     *
     * @param location prefix such as {@code TrafficMirrorSessions[3]}.
     * @return the relocated violation.
     */
    public Violation at(final String location)
    {
        return new Violation(objectId, location + "." + field, value, allowed);
    }

    /**
     * @return one line: {@code objectId: field = value; allowed: allowed}, without the object id when the
     *         field's path already starts with it.
     */
    public String message()
    {
        return (field.startsWith(objectId) ? "" : objectId + ": ") + field + " = " + value + "; allowed: " + allowed;
    }

    @Override
    public boolean equals(final Object o)
    {
        if (this == o)
        {
            return true;
        }
        if (!(o instanceof Violation))
        {
            return false;
        }
        final Violation that = (Violation)o;
        return objectId.equals(that.objectId) && field.equals(that.field) &&
            value.equals(that.value) && allowed.equals(that.allowed);
    }

    @Override
    public int hashCode()
    {
        return Objects.hash(objectId, field, value, allowed);
    }

    @Override
    public String toString()
    {
        return message();
    }
}

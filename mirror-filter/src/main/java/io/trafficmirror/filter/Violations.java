package io.trafficmirror.filter;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects the violations found while validating, so that all of them are reported together.
 * Not thread-safe; used by one validation at a time.
 */
public final class Violations
{
    /** Longest description accepted, as for EC2 descriptions. */
    public static final int MAX_DESCRIPTION_LENGTH = 255;

    /** Longest object id accepted. */
    public static final int MAX_ID_LENGTH = 255;

    private final List<Violation> violations = new ArrayList<>();

    /**
     * Records a violation.
     *
     * @param objectId object at fault.
     * @param field    field at fault.
     * @param value    bad value, {@code null} when missing.
     * @param allowed  what is allowed.
     * @return this.
     */
    public Violations add(final String objectId, final String field, final Object value, final String allowed)
    {
        violations.add(Violation.of(objectId, field, value, allowed));
        return this;
    }

    /**
     * Records violations found elsewhere.
     *
     * @param found violations to add.
     * @return this.
     */
    public Violations addAll(final List<Violation> found)
    {
        violations.addAll(found);
        return this;
    }

    /**
     * Checks that a number lies in {@code min..max}.
     *
     * @param objectId object being checked.
     * @param field    field being checked.
     * @param value    its value.
     * @param min      lowest allowed.
     * @param max      highest allowed.
     * @return true when the value is in range.
     */
    public boolean checkRange(final String objectId, final String field, final long value, final long min, final long max)
    {
        if (value < min || value > max)
        {
            add(objectId, field, value, min + ".." + max);
            return false;
        }
        return true;
    }

    /**
     * Checks that a required field is present.
     *
     * @param objectId object being checked.
     * @param field    field being checked.
     * @param value    its value.
     * @param allowed  what a valid value looks like.
     * @return true when present.
     */
    public boolean checkRequired(final String objectId, final String field, final Object value, final String allowed)
    {
        if (value == null)
        {
            add(objectId, field, null, allowed);
            return false;
        }
        return true;
    }

    /**
     * Checks an object id: present, 1 to {@value #MAX_ID_LENGTH} printable characters without whitespace.
     *
     * @param objectId how to name the object in a message when the id itself is bad.
     * @param field    the id's field name.
     * @param id       the id.
     */
    public void checkId(final String objectId, final String field, final String id)
    {
        if (!checkRequired(objectId, field, id, "1.." + MAX_ID_LENGTH + " printable characters without spaces"))
        {
            return;
        }
        if (!isValidId(id))
        {
            add(objectId, field, '"' + id + '"', "1.." + MAX_ID_LENGTH + " printable characters without spaces");
        }
    }

    /**
     * Checks an optional description's length and characters.
     *
     * @param objectId    object being checked.
     * @param description the description, may be {@code null}.
     */
    public void checkDescription(final String objectId, final String description)
    {
        if (description != null && (description.length() > MAX_DESCRIPTION_LENGTH || hasControlCharacter(description)))
        {
            add(objectId, "Description", '"' + abbreviate(description) + '"',
                "at most " + MAX_DESCRIPTION_LENGTH + " characters, no control characters");
        }
    }

    /**
     * @return how many violations were found so far.
     */
    public int size()
    {
        return violations.size();
    }

    /**
     * @param field a field name or path.
     * @return true when a violation of that field was found already.
     */
    public boolean hasField(final String field)
    {
        for (final Violation violation : violations)
        {
            if (violation.field().equals(field))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * @return true when nothing was found.
     */
    public boolean isEmpty()
    {
        return violations.isEmpty();
    }

    /**
     * @return a copy of what was found.
     */
    public List<Violation> toList()
    {
        return List.copyOf(violations);
    }

    /**
     * @throws InvalidConfigurationException listing everything found, if anything was.
     */
    public void throwIfAny()
    {
        if (!violations.isEmpty())
        {
            throw new InvalidConfigurationException(violations);
        }
    }

    /**
     * @param id candidate id.
     * @return true for 1 to {@value #MAX_ID_LENGTH} printable ASCII characters without spaces.
     */
    public static boolean isValidId(final String id)
    {
        if (id.isEmpty() || id.length() > MAX_ID_LENGTH)
        {
            return false;
        }
        for (int i = 0; i < id.length(); i++)
        {
            final char c = id.charAt(i);
            if (c <= ' ' || c > '~')
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Shortens a long value for a message.
     *
     * @param text text to show.
     * @return the text, cut to 64 characters with an ellipsis when longer.
     */
    public static String abbreviate(final String text)
    {
        return text.length() <= 64 ? text : text.substring(0, 61) + "...";
    }

    private static boolean hasControlCharacter(final String text)
    {
        for (int i = 0; i < text.length(); i++)
        {
            if (Character.isISOControl(text.charAt(i)))
            {
                return true;
            }
        }
        return false;
    }
}

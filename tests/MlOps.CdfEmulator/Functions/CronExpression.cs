namespace MlOps.CdfEmulator;

/// <summary>Checks a 5-field cron expression (minute hour day-of-month month day-of-week), as schedules require.</summary>
internal static class CronExpression
{
    private static readonly (string Name, int Min, int Max, string[]? Names)[] Fields =
    [
        ("minute", 0, 59, null),
        ("hour", 0, 23, null),
        ("day of month", 1, 31, null),
        ("month", 1, 12, ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]),
        ("day of week", 0, 7, ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]),
    ];

    /// <summary>Null when valid, else why not.</summary>
    public static string? Problem(string expression)
    {
        var parts = expression.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length != 5)
        {
            return $"cronExpression must have 5 fields (minute hour day-of-month month day-of-week), got {parts.Length}.";
        }

        for (var i = 0; i < 5; i++)
        {
            var (name, min, max, names) = Fields[i];
            foreach (var item in parts[i].Split(','))
            {
                if (!ValidItem(item, min, max, names))
                {
                    return $"cronExpression: invalid {name} field '{parts[i]}' (allowed {min}-{max}).";
                }
            }
        }

        return null;
    }

    private static bool ValidItem(string item, int min, int max, string[]? names)
    {
        var slash = item.Split('/');
        if (slash.Length > 2 || (slash.Length == 2 && !(int.TryParse(slash[1], out var step) && step >= 1 && step <= max)))
        {
            return false;
        }

        var range = slash[0];
        if (range == "*")
        {
            return true;
        }

        var bounds = range.Split('-');
        if (bounds.Length > 2 || bounds.Any(b => Value(b, min, max, names) is null))
        {
            return false;
        }

        return bounds.Length == 1 || Value(bounds[0], min, max, names) <= Value(bounds[1], min, max, names);
    }

    private static int? Value(string text, int min, int max, string[]? names)
    {
        if (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number))
        {
            return number >= min && number <= max ? number : null;
        }

        var index = names is null ? -1 : Array.FindIndex(names, n => string.Equals(n, text, StringComparison.OrdinalIgnoreCase));
        return index < 0 ? null : index + min;
    }
}

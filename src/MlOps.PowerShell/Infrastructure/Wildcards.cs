using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

namespace MlOps.PowerShell.Infrastructure
{
    /// <summary>PowerShell wildcard matching over names, case-insensitive.</summary>
    internal static class Wildcards
    {
        public static Func<string, bool> Matcher(IReadOnlyCollection<string>? patterns)
        {
            if (patterns == null || patterns.Count == 0)
            {
                return _ => true;
            }

            var compiled = patterns.Select(p => new WildcardPattern(p, WildcardOptions.IgnoreCase)).ToList();
            return name => compiled.Any(p => p.IsMatch(name));
        }

        public static List<T> Filter<T>(IEnumerable<T> items, Func<T, string> name, IReadOnlyCollection<string> patterns)
        {
            var match = Matcher(patterns);
            return items.Where(i => match(name(i))).ToList();
        }
    }
}

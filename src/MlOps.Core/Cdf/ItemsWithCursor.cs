using System.Collections.Generic;

namespace MlOps.Cdf
{
    /// <summary>One page of a list: its items and the cursor of the next page (null on the last page).</summary>
    public sealed class ItemsWithCursor<T>
    {
        /// <summary>The items of this page.</summary>
        public List<T> Items { get; set; } = new List<T>();

        /// <summary>Pass to the next list call; null when there are no more pages.</summary>
        public string? NextCursor { get; set; }
    }
}

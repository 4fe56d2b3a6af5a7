namespace MlOps.Cdf
{
    /// <summary>One page request of <c>POST /files/list</c>.</summary>
    public sealed class FileQuery
    {
        /// <summary>Conditions; null for everything.</summary>
        public FileFilter? Filter { get; set; }

        /// <summary>Page size, 1 to 1000 (the server may return fewer).</summary>
        public int Limit { get; set; } = 1000;

        /// <summary>The previous page's <see cref="ItemsWithCursor{T}.NextCursor"/>; null for the first page.</summary>
        public string? Cursor { get; set; }

        /// <summary><c>m/n</c> to read one of n slices in parallel; null for all.</summary>
        public string? Partition { get; set; }
    }
}

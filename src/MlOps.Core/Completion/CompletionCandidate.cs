namespace MlOps.Completion
{
    /// <summary>One suggestion for a parameter's value: the text to insert, and a tooltip that says what it is.</summary>
    public sealed class CompletionCandidate
    {
        public CompletionCandidate(string text, string toolTip)
        {
            Text = text;
            ToolTip = string.IsNullOrEmpty(toolTip) ? text : toolTip;
        }

        public string Text { get; }

        public string ToolTip { get; }

        public override string ToString() => Text;
    }
}

<#
.SYNOPSIS
    Writes the cmdlet reference (docs/reference/<Cmdlet>.md and an index) from the module's help: the same source as
    Get-Help (the MAML that New-MlOpsHelp.ps1 generates from the cmdlets' XML doc comments).

.DESCRIPTION
    Run by build.ps1 -Task Docs after a build. A test (tests/Pester/Module.Tests.ps1) generates the reference again into a
    temporary folder and fails when the committed pages differ, naming the command that brings them up to date.

.PARAMETER ModulePath
    The built module's manifest (its en-US help generated).

.PARAMETER OutputFolder
    Where to write the pages (docs/reference).
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $OutputFolder
)
$ErrorActionPreference = 'Stop'
$module = Import-Module $ModulePath -PassThru -Force
New-Item -ItemType Directory $OutputFolder -Force | Out-Null

function Get-Paragraphs($node) {
    # Help text nodes are objects with a Text property, or strings; one paragraph each.
    @($node) | Where-Object { $_ } | ForEach-Object { if ($_ -is [string]) { $_ } else { $_.Text } } | Where-Object { $_ } |
        ForEach-Object { ($_ -replace '\s+', ' ').Trim() }
}

function Format-Syntax($item) {
    $parts = foreach ($parameter in @($item.parameter)) {
        $value = if ($parameter.parameterValue) { " <$($parameter.parameterValue)>" } else { '' }
        $text = "-$($parameter.name)$value"
        if ($parameter.position -ne 'named') { $text = "[-$($parameter.name)]$value" }
        if ($parameter.required -ne 'true') { $text = "[$text]" }
        $text
    }
    ((@($item.name) + @($parts) + '[<CommonParameters>]') -join ' ')
}

$index = [System.Collections.Generic.List[string]]::new()
$index.Add('# Cmdlet reference')
$index.Add('')
$index.Add('Generated from the module''s help (`Get-Help <cmdlet> -Full` shows the same) by `build.ps1 -Task Docs`.')
$index.Add('')
$index.Add('| cmdlet | synopsis |')
$index.Add('| --- | --- |')
$names = $module.ExportedCmdlets.Keys | Sort-Object
foreach ($name in $names) {
    $help = Get-Help $name -Full
    $synopsis = (Get-Paragraphs $help.Synopsis) -join ' '
    $index.Add("| [$name]($name.md) | $synopsis |")
    $page = [System.Collections.Generic.List[string]]::new()
    $page.Add("# $name"); $page.Add(''); $page.Add($synopsis); $page.Add('')
    $page.Add('## Syntax'); $page.Add(''); $page.Add('```powershell')
    foreach ($item in @($help.syntax.syntaxItem)) { $page.Add((Format-Syntax $item)); $page.Add('') }
    if ($page[$page.Count - 1] -eq '') { $page.RemoveAt($page.Count - 1) }
    $page.Add('```'); $page.Add('')
    $page.Add('## Description'); $page.Add('')
    foreach ($paragraph in Get-Paragraphs $help.description) { $page.Add($paragraph); $page.Add('') }
    $page.Add('## Parameters'); $page.Add('')
    foreach ($parameter in @($help.parameters.parameter)) {
        $page.Add("### -$($parameter.name)"); $page.Add('')
        foreach ($paragraph in Get-Paragraphs $parameter.description) { $page.Add($paragraph); $page.Add('') }
        $page.Add("Type: ``$($parameter.type.name)``; required: $($parameter.required); position: $($parameter.position); " +
            "pipeline input: $($parameter.pipelineInput); wildcards: $($parameter.globbing)")
        $page.Add('')
    }
    $page.Add('## Inputs'); $page.Add('')
    foreach ($type in @($help.inputTypes.inputType)) {
        $page.Add("- ``$($type.type.name)``$(if ($type.description) { ': ' + ((Get-Paragraphs $type.description) -join ' ') })")
    }
    $page.Add(''); $page.Add('## Outputs'); $page.Add('')
    foreach ($type in @($help.returnValues.returnValue)) {
        $page.Add("- ``$($type.type.name)``$(if ($type.description) { ': ' + ((Get-Paragraphs $type.description) -join ' ') })")
    }
    $page.Add(''); $page.Add('## Examples'); $page.Add('')
    $number = 0
    foreach ($example in @($help.examples.example)) {
        $number++
        $page.Add("### Example $number"); $page.Add(''); $page.Add('```powershell'); $page.Add(($example.code -replace '\r', '').Trim()); $page.Add('```'); $page.Add('')
        foreach ($paragraph in Get-Paragraphs $example.remarks) { $page.Add($paragraph); $page.Add('') }
    }
    $page.Add('## Related links'); $page.Add('')
    foreach ($link in @($help.relatedLinks.navigationLink)) {
        $text = $link.linkText
        if ($names -contains $text) { $page.Add("- [$text]($text.md)") } elseif ($text) { $page.Add("- $text") }
    }
    $content = ($page -join "`n").TrimEnd() + "`n"
    [IO.File]::WriteAllText((Join-Path $OutputFolder "$name.md"), $content, [Text.UTF8Encoding]::new($false))
}
$index.Add('')
$index.Add('`about_MlOps` (`Get-Help about_MlOps`) is the conceptual overview.')
[IO.File]::WriteAllText((Join-Path $OutputFolder 'README.md'), (($index -join "`n") + "`n"), [Text.UTF8Encoding]::new($false))
Write-Host "Wrote the reference of $(@($names).Count) cmdlets into $OutputFolder"

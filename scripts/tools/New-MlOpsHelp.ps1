<#
.SYNOPSIS
    Generates the cmdlets' MAML help (MlOps.PowerShell.dll-Help.xml) from their XML doc comments, the one source of truth.

.DESCRIPTION
    Imports the built module, and for each exported cmdlet reads from the compiler's XML documentation file:
    the synopsis and description (<para type="synopsis|description"> on the cmdlet class), each parameter's
    description (the property's summary, inherited members included) and examples (<example><code/><para/></example>).
    Syntax, types, positions and pipeline input come from the cmdlet's metadata. build.ps1 runs it after every build.

.PARAMETER ModulePath
    The module manifest to import.

.PARAMETER XmlDocPath
    The XML documentation file of MlOps.PowerShell.

.PARAMETER OutputFolder
    Where to write MlOps.PowerShell.dll-Help.xml.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $XmlDocPath,
    [Parameter(Mandatory)] [string] $OutputFolder
)
$ErrorActionPreference = 'Stop'
$module = Import-Module $ModulePath -PassThru -Force
$docs = [xml](Get-Content $XmlDocPath -Raw)
$members = @{}
foreach ($member in $docs.doc.members.member) { $members[$member.name] = $member }
$common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters

function Get-Text($node) {
    if ($null -eq $node) { return '' }
    $text = if ($node -is [string]) { $node } else { $node.InnerText }
    (($text -split "`n") | ForEach-Object { $_.Trim() }) -join ' ' -replace '\s+', ' ' | ForEach-Object Trim
}

function Get-Para($member, [string] $type) {
    if ($null -eq $member) { return '' }
    $para = $member.summary.para | Where-Object { $_.type -eq $type } | Select-Object -First 1
    if ($para) { return Get-Text $para }
    if ($type -eq 'description') { return Get-Text $member.summary }
    ''
}

function Get-ParameterDoc([type] $type, [string] $name) {
    for ($t = $type; $null -ne $t; $t = $t.BaseType) {
        $member = $members["P:$($t.FullName).$name"]
        if ($member) { return Get-Para $member 'description' }
    }
    ''
}

$settings = [Xml.XmlWriterSettings]@{ Indent = $true; Encoding = [Text.UTF8Encoding]::new($false) }
New-Item -ItemType Directory -Path $OutputFolder -Force | Out-Null
$path = Join-Path $OutputFolder 'MlOps.PowerShell.dll-Help.xml'
$writer = [Xml.XmlWriter]::Create($path, $settings)
$maml = 'http://schemas.microsoft.com/maml/2004/10'
$command = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
$dev = 'http://schemas.microsoft.com/maml/dev/2004/10'
$writer.WriteStartElement('helpItems', 'http://msh')
$writer.WriteAttributeString('schema', 'maml')
foreach ($cmd in Get-Command -Module $module.Name -CommandType Cmdlet | Sort-Object Name) {
    $type = $cmd.ImplementingType
    $doc = $members["T:$($type.FullName)"]
    $writer.WriteStartElement('command', 'command', $command)
    $writer.WriteAttributeString('xmlns', 'maml', $null, $maml)
    $writer.WriteAttributeString('xmlns', 'dev', $null, $dev)
    $writer.WriteStartElement('command', 'details', $command)
    $writer.WriteElementString('command', 'name', $command, $cmd.Name)
    $writer.WriteElementString('command', 'verb', $command, $cmd.Verb)
    $writer.WriteElementString('command', 'noun', $command, $cmd.Noun)
    $writer.WriteStartElement('maml', 'description', $maml); $writer.WriteElementString('maml', 'para', $maml, (Get-Para $doc 'synopsis')); $writer.WriteEndElement()
    $writer.WriteEndElement()
    $writer.WriteStartElement('maml', 'description', $maml); $writer.WriteElementString('maml', 'para', $maml, (Get-Para $doc 'description')); $writer.WriteEndElement()

    $writer.WriteStartElement('command', 'syntax', $command)
    foreach ($set in $cmd.ParameterSets) {
        $writer.WriteStartElement('command', 'syntaxItem', $command)
        $writer.WriteElementString('maml', 'name', $maml, $cmd.Name)
        foreach ($parameter in $set.Parameters | Where-Object Name -NotIn $common) {
            $writer.WriteStartElement('command', 'parameter', $command)
            $writer.WriteAttributeString('required', "$($parameter.IsMandatory)".ToLowerInvariant())
            $writer.WriteAttributeString('position', $(if ($parameter.Position -ge 0) { "$($parameter.Position)" } else { 'named' }))
            $writer.WriteElementString('maml', 'name', $maml, $parameter.Name)
            if ($parameter.ParameterType -ne [System.Management.Automation.SwitchParameter]) {
                $writer.WriteElementString('command', 'parameterValue', $command, $parameter.ParameterType.Name)
            }
            $writer.WriteEndElement()
        }
        $writer.WriteEndElement()
    }
    $writer.WriteEndElement()

    $writer.WriteStartElement('command', 'parameters', $command)
    foreach ($parameter in $cmd.Parameters.Values | Where-Object Name -NotIn $common | Sort-Object Name) {
        $attributes = $parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] }
        $pipeline = @(if ($attributes.ValueFromPipeline -contains $true) { 'ByValue' }; if ($attributes.ValueFromPipelineByPropertyName -contains $true) { 'ByPropertyName' })
        $writer.WriteStartElement('command', 'parameter', $command)
        $writer.WriteAttributeString('required', "$(@($attributes.Mandatory) -contains $true)".ToLowerInvariant())
        $writer.WriteAttributeString('pipelineInput', $(if ($pipeline) { "true ($($pipeline -join ', '))" } else { 'false' }))
        $writer.WriteAttributeString('globbing', "$(@($parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] }).Count -gt 0)".ToLowerInvariant())
        $position = @($attributes | Where-Object Position -ge 0 | Select-Object -First 1).Position
        $writer.WriteAttributeString('position', $(if ($null -ne $position) { "$position" } else { 'named' }))
        $writer.WriteElementString('maml', 'name', $maml, $parameter.Name)
        $writer.WriteStartElement('maml', 'description', $maml)
        $writer.WriteElementString('maml', 'para', $maml, (Get-ParameterDoc $type $parameter.Name))
        $writer.WriteEndElement()
        $writer.WriteElementString('command', 'parameterValue', $command, $parameter.ParameterType.Name)
        $writer.WriteStartElement('dev', 'type', $dev); $writer.WriteElementString('maml', 'name', $maml, $parameter.ParameterType.FullName); $writer.WriteEndElement()
        $writer.WriteEndElement()
    }
    $writer.WriteEndElement()

    $examples = @($doc.example)
    if ($examples.Count -gt 0 -and $null -ne $examples[0]) {
        $writer.WriteStartElement('command', 'examples', $command)
        $number = 0
        foreach ($example in $examples) {
            $number++
            $writer.WriteStartElement('command', 'example', $command)
            $writer.WriteElementString('maml', 'title', $maml, "-------------------------- Example $number --------------------------")
            $code = if ($example.code -is [string]) { $example.code } else { $example.code.InnerText }
            $writer.WriteElementString('dev', 'code', $dev, ((($code -split "`n") | ForEach-Object { $_.Trim() } | Where-Object { $_ }) -join "`n"))
            $writer.WriteStartElement('dev', 'remarks', $dev); $writer.WriteElementString('maml', 'para', $maml, (Get-Text $example.para)); $writer.WriteEndElement()
            $writer.WriteEndElement()
        }
        $writer.WriteEndElement()
    }
    $writer.WriteEndElement()
}
$writer.WriteEndElement()
$writer.Dispose()
Write-Verbose "Wrote $path"

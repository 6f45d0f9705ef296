Attribute VB_Name = "Prismodell"
' Prismodell Kontaktcenter: the buttons on the Start sheet.
' Each macro hands over to Python through xlwings RunPython (standalone mode: the xlwings
' module and its Dictionary class are embedded in this workbook, no add-in is needed).
' The Python interpreter is set on the sheet xlwings.conf (INTERPRETER_WIN / INTERPRETER_MAC).
' Messages shown to the user are Swedish.
Option Explicit

Private Const TITEL As String = "Prismodell Kontaktcenter"

' Button "Beräkna priser": validate the inputs, calculate and write the output sheets.
Public Sub BeraknaPriser()
    On Error GoTo Fel
    Application.StatusBar = "Beräknar priser ..."
    RunPython "import xlkc.excel; xlkc.excel.berakna_priser()"
    Application.StatusBar = False
    Exit Sub
Fel:
    Application.StatusBar = False
    MsgBox "Beräkningen kunde inte startas." & vbCrLf & vbCrLf & Err.Description & vbCrLf & vbCrLf & _
        "Kontrollera sökvägen till Python på bladet xlwings.conf.", vbExclamation, TITEL
End Sub

' Button "Validera indata": check the input sheets and report problems, without calculating.
Public Sub ValideraIndata()
    On Error GoTo Fel
    Application.StatusBar = "Validerar indata ..."
    RunPython "import xlkc.excel; xlkc.excel.validera_indata()"
    Application.StatusBar = False
    Exit Sub
Fel:
    Application.StatusBar = False
    MsgBox "Valideringen kunde inte startas." & vbCrLf & vbCrLf & Err.Description & vbCrLf & vbCrLf & _
        "Kontrollera sökvägen till Python på bladet xlwings.conf.", vbExclamation, TITEL
End Sub

' Button "Testa kopplingen": check that the Python named on xlwings.conf exists (a Swedish message
' with the path if not, before RunPython can fail with its own dialog), then let Python report
' its Python, xlkc and xlwings versions and whether they match this workbook.
Public Sub TestaKopplingen()
    Dim nyckel As String, tolk As String
    On Error GoTo Fel
    #If Mac Then
        nyckel = "INTERPRETER_MAC"
    #Else
        nyckel = "INTERPRETER_WIN"
    #End If
    tolk = GetConfig(nyckel, "")
    If tolk = "" Then
        MsgBox "Ingen Python är angiven på bladet xlwings.conf (" & nyckel & ")." & vbCrLf & vbCrLf & _
            "Kör xlkc installera i en terminal där xlkc är installerat; det skriver sökvägen här.", _
            vbExclamation, TITEL
        Exit Sub
    End If
    If Not FileExists(tolk) Then
        MsgBox "Python hittas inte:" & vbCrLf & tolk & vbCrLf & vbCrLf & _
            "Sökvägen står på bladet xlwings.conf (" & nyckel & "). Installera xlkc (pip install) " & _
            "och kör xlkc installera i en terminal; det skriver rätt sökväg här.", vbExclamation, TITEL
        Exit Sub
    End If
    Application.StatusBar = "Testar kopplingen till Python ..."
    RunPython "import xlkc.excel; xlkc.excel.testa_kopplingen('" & XLWINGS_VERSION & "')"
    Application.StatusBar = False
    Exit Sub
Fel:
    Application.StatusBar = False
    MsgBox "Python kunde inte startas:" & vbCrLf & tolk & vbCrLf & vbCrLf & Err.Description, _
        vbExclamation, TITEL
End Sub

' Button "Importera statistik": choose one or more interval files (canonical CSV or Calabrio),
' then Python reads them, maps their queues through the sheet Köer and writes Kontakter,
' Profil per svarsgrupp, Kundvolymer and Statistikkvalitet. Nothing is written if a file is wrong.
Public Sub ImporteraStatistik()
    Dim filer As Variant
    Dim lista As String
    Dim i As Long
    On Error GoTo Fel
    filer = Application.GetOpenFilename("Statistikfiler (*.csv;*.txt),*.csv;*.txt,Alla filer (*.*),*.*", _
        1, "Välj statistikfiler att importera", , True)
    If Not IsArray(filer) Then Exit Sub
    For i = LBound(filer) To UBound(filer)
        If Len(lista) > 0 Then lista = lista & ", "
        lista = lista & "'" & Replace(Replace(CStr(filer(i)), "\", "\\"), "'", "\'") & "'"
    Next i
    Application.StatusBar = "Importerar statistik ..."
    RunPython "import xlkc.excel; xlkc.excel.importera_statistik([" & lista & "])"
    Application.StatusBar = False
    Exit Sub
Fel:
    Application.StatusBar = False
    MsgBox "Importen kunde inte startas." & vbCrLf & vbCrLf & Err.Description & vbCrLf & vbCrLf & _
        "Kontrollera sökvägen till Python på bladet xlwings.conf.", vbExclamation, TITEL
End Sub

' Button "Skapa PDF": Prislista för beslut and one Kundspecifikation per customer as PDF files
' in the workbook's folder (Excel's own PDF export; the command line does the same with
' LibreOffice: xlkc dokument).
Public Sub SkapaPDF()
    Const PDF_TYP As Long = 0 ' xlTypePDF
    Dim mapp As String, ar As String
    Dim ws As Worksheet, lo As ListObject
    Dim kunder As Collection, cell As Range, kund As Variant, antal As Long
    On Error GoTo Fel
    mapp = ThisWorkbook.Path & Application.PathSeparator
    ar = CStr(ThisWorkbook.Names("Prisar").RefersToRange.Value)
    Set ws = ThisWorkbook.Worksheets("Prislista för beslut")
    ws.ExportAsFixedFormat Type:=PDF_TYP, Filename:=mapp & "Prislista för beslut " & ar & ".pdf", _
        IgnorePrintAreas:=False, OpenAfterPublish:=False
    antal = 1
    Set ws = ThisWorkbook.Worksheets("Kundspecifikation")
    Set lo = ws.ListObjects("tblKundspecifikation")
    Set kunder = New Collection
    If Not lo.DataBodyRange Is Nothing Then
        On Error Resume Next
        For Each cell In lo.ListColumns(2).DataBodyRange.Cells
            If Len(CStr(cell.Value)) > 0 Then kunder.Add CStr(cell.Value), CStr(cell.Value)
        Next cell
        On Error GoTo Fel
    End If
    For Each kund In kunder
        lo.Range.AutoFilter Field:=2, Criteria1:=kund
        ws.ExportAsFixedFormat Type:=PDF_TYP, _
            Filename:=mapp & "Kundspecifikation " & ar & " " & kund & ".pdf", _
            IgnorePrintAreas:=False, OpenAfterPublish:=False
        antal = antal + 1
    Next kund
    If Not lo.AutoFilter Is Nothing Then lo.AutoFilter.ShowAllData
    MsgBox antal & " PDF-filer är sparade i " & ThisWorkbook.Path & ".", vbInformation, TITEL
    Exit Sub
Fel:
    MsgBox "PDF-filerna kunde inte skapas." & vbCrLf & vbCrLf & Err.Description & vbCrLf & vbCrLf & _
        "Klicka Beräkna priser först, och spara arbetsboken i en mapp du kan skriva i.", _
        vbExclamation, TITEL
End Sub

' Button "Nytt prisår": from this computed workbook, write next year's workbook beside it.
Public Sub NyttPrisar()
    On Error GoTo Fel
    Application.StatusBar = "Skapar nästa prisår ..."
    RunPython "import xlkc.excel; xlkc.excel.nytt_prisar()"
    Application.StatusBar = False
    Exit Sub
Fel:
    Application.StatusBar = False
    MsgBox "Nytt prisår kunde inte startas." & vbCrLf & vbCrLf & Err.Description & vbCrLf & vbCrLf & _
        "Kontrollera sökvägen till Python på bladet xlwings.conf.", vbExclamation, TITEL
End Sub

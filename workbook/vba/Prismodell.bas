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
